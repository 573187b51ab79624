/**
 * Not a benchmark figure: a lever-by-lever measure for the server's hot path that stays
 * steady on a busy machine. Runs the app and the bare route (as server-denial and
 * server-models do), sends each a fixed number of requests after a warm-up, and prints the
 * server's CPU time per request and where it goes (V8 CPU profile, self time per request).
 *
 *   npx tsx bench/route-profile.ts denial|models [requests=20000] [top=30]
 *
 * Profiles are left in $TMPDIR/route-profile-{app,bare}.cpuprofile (open in Chrome DevTools).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_JWT_SECRET, benchDatabase, login } from './helpers/bench-database.js';
import { startBenchServer, type BenchServer, type Load } from './helpers/http-bench.js';

const route = process.argv[2] ?? 'denial';
const requests = Number(process.argv[3] ?? 20_000);
const top = Number(process.argv[4] ?? 30);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function run(server: BenchServer, load: Load, n: number): Promise<void> {
  const r = await autocannon({ url: server.url + load.path, method: load.method, headers: load.headers, ...(load.body ? { body: load.body } : {}), connections: 16, amount: n });
  const codes = Object.keys(r.statusCodeStats);
  if (r.errors > 0 || codes.length !== 1 || codes[0] !== String(load.status)) throw new Error(`expected only ${load.status}, got ${JSON.stringify(r.statusCodeStats)}`);
}

async function measure(name: string, server: BenchServer, load: Load, file: string): Promise<void> {
  await run(server, load, Math.min(5000, requests));
  await server.signal('SIGUSR2', 'PROFILING');
  const before = server.cpuMs();
  await run(server, load, requests);
  const cpuMs = server.cpuMs() - before;
  await server.signal('SIGUSR1', 'PROFILED');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') return;
    const where = f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i]!);
    busy += profile.timeDeltas[i]!;
  });
  process.stdout.write(`\n${name}: ${((cpuMs * 1000) / requests).toFixed(1)} µs CPU per request (process, /proc), ${(busy / requests).toFixed(1)} µs on the main thread (profile), ${requests} requests\n`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${(us / requests).toFixed(2).padStart(7)} µs  ${key}\n`);
}

const db = await benchDatabase();
const appProfile = join(tmpdir(), 'route-profile-app.cpuprofile');
const bareProfile = join(tmpdir(), 'route-profile-bare.cpuprofile');
const app = await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET, BENCH_CPU_PROFILE: appProfile });
try {
  const user = route === 'denial' ? 'free@example.com' : 'pro@example.com';
  const token = await login(app.url, user);
  const body = JSON.stringify({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hello' }] });
  const headers: Record<string, string> = route === 'denial' ? { authorization: `Bearer ${token}`, 'content-type': 'application/json' } : { authorization: `Bearer ${token}` };
  const load: Load = route === 'denial' ? { path: '/v1/chat/completions', method: 'POST', headers, body, status: 403 } : { path: '/v1/models', method: 'GET', headers, status: 200 };
  const sample = await fetch(app.url + load.path, { method: load.method, headers, ...(load.body ? { body: load.body } : {}) });
  const text = await sample.text();
  const bare = await startBenchServer({ BENCH_KIND: 'bare', BENCH_STATUS: String(load.status), BENCH_BODY: text, BENCH_CPU_PROFILE: bareProfile });
  try {
    await measure('bare', bare, { ...load, path: '/bare' }, bareProfile);
    await measure('app', app, load, appProfile);
  } finally {
    await bare.stop();
  }
} finally {
  await app.stop();
  await db.drop();
}
