/**
 * Not a benchmark figure: server CPU time per request (/proc, user + system) of the app on
 * one route against the bare route, alternated in rounds so that both see the same machine
 * load; prints each round and the median. For comparing variants of the app: extra
 * arguments are env settings for more app servers (`A=1,B=2`), measured in the same rounds;
 * `ROOT=/work/wt/other` runs that checkout's app (before/after a change). Also prints the
 * CPU time of PostgreSQL's api_logs backends per request (the same two cores serve them).
 *
 *   npx tsx bench/route-cpu.ts denial|models [requests=20000] [rounds=5] [variant ...]
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { BENCH_JWT_SECRET, benchDatabase, login } from './helpers/bench-database.js';
import { startBenchServer, type BenchServer, type Load } from './helpers/http-bench.js';

const route = process.argv[2] ?? 'denial';
const requests = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 5);
const variants = process.argv.slice(5).map((v) => Object.fromEntries(v.split(',').map((kv) => kv.split('=') as [string, string])));

/** CPU ms of each PostgreSQL backend writing api_logs now, by pid. */
async function apiLogBackendsMs(url: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'tierctl-server-api-logs'`);
    const ms = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ms.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
      } catch {
        // gone, or PostgreSQL on another machine
      }
    }
    return ms;
  } finally {
    await client.end();
  }
}

let databaseUrl = '';

async function cpuPerRequest(server: BenchServer, load: Load, n: number): Promise<{ us: number; sysUs: number; pgUs: number; rps: number }> {
  const pgBefore = await apiLogBackendsMs(databaseUrl);
  const before = server.cpuMs();
  const sysBefore = server.systemMs();
  const r = await autocannon({ url: server.url + load.path, method: load.method, headers: load.headers, ...(load.body ? { body: load.body } : {}), connections: 16, amount: n });
  const codes = Object.keys(r.statusCodeStats);
  if (r.errors > 0 || codes.length !== 1 || codes[0] !== String(load.status)) throw new Error(`expected only ${load.status}, got ${JSON.stringify(r.statusCodeStats)}`);
  const us = ((server.cpuMs() - before) * 1000) / n;
  const sysUs = ((server.systemMs() - sysBefore) * 1000) / n;
  await new Promise((resolve) => setTimeout(resolve, 700)); // the last batch written
  let pgMs = 0;
  for (const [pid, ms] of await apiLogBackendsMs(databaseUrl)) pgMs += ms - (pgBefore.get(pid) ?? 0);
  return { us, sysUs, pgUs: (pgMs * 1000) / n, rps: r.requests.average };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const db = await benchDatabase();
databaseUrl = db.url;
const apps: { name: string; server: BenchServer }[] = [];
try {
  apps.push({ name: 'app', server: await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET }) });
  for (const { ROOT, ...v } of variants) {
    const name = Object.entries({ ROOT, ...v }).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}=${x}`).join(',');
    apps.push({ name, server: await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET, ...v }, ROOT) });
  }
  const token = await login(apps[0]!.server.url, route === 'denial' ? 'free@example.com' : 'pro@example.com');
  const body = JSON.stringify({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hello' }] });
  const headers: Record<string, string> = route === 'denial' ? { authorization: `Bearer ${token}`, 'content-type': 'application/json' } : { authorization: `Bearer ${token}` };
  const load: Load = route === 'denial' ? { path: '/v1/chat/completions', method: 'POST', headers, body, status: 403 } : { path: '/v1/models', method: 'GET', headers, status: 200 };
  const sample = await fetch(apps[0]!.server.url + load.path, { method: load.method, headers, ...(load.body ? { body: load.body } : {}) });
  const text = await sample.text();
  const bare = await startBenchServer({ BENCH_KIND: 'bare', BENCH_STATUS: String(load.status), BENCH_BODY: text });
  try {
    const targets = [{ name: 'bare', server: bare, load: { ...load, path: '/bare' } }, ...apps.map((a) => ({ ...a, load }))];
    for (const t of targets) await cpuPerRequest(t.server, t.load, Math.min(5000, requests));
    const seen = new Map<string, { us: number[]; rps: number[]; pg: number[] }>(targets.map((t) => [t.name, { us: [], rps: [], pg: [] }]));
    for (let i = 0; i < rounds; i++) {
      const line: string[] = [];
      for (const t of targets) {
        const m = await cpuPerRequest(t.server, t.load, requests);
        seen.get(t.name)!.us.push(m.us);
        seen.get(t.name)!.rps.push(m.rps);
        seen.get(t.name)!.pg.push(m.pgUs);
        line.push(`${t.name} ${m.us.toFixed(1)} µs (system ${m.sysUs.toFixed(1)}, PostgreSQL ${m.pgUs.toFixed(1)}) ${Math.round(m.rps)}/s`);
      }
      process.stdout.write(`round ${i + 1}: ${line.join(' | ')}\n`);
    }
    const bareUs = median(seen.get('bare')!.us);
    for (const [name, s] of seen) {
      const us = median(s.us);
      process.stdout.write(`${name.padEnd(30)} median ${us.toFixed(1)} µs CPU/request (bare/this ${(bareUs / us).toFixed(2)}), PostgreSQL ${median(s.pg).toFixed(1)} µs/request, ${Math.round(median(s.rps))} req/s, rounds ${s.us.map((x) => x.toFixed(0)).join(' ')}\n`);
    }
  } finally {
    await bare.stop();
  }
} finally {
  for (const a of apps) await a.server.stop();
  await db.drop();
}
