/**
 * `tierctl serve` from spawn to its first healthy `/health` (database connected, catalog
 * warmed), against a bare `node:http` server from spawn to its first answer: the floor any
 * Node service pays. Medians of alternate runs. The goal (<= 1 s) is ours: a restart in the
 * guide's single-server deployment must stay well inside its "< 30 seconds".
 */
import { spawn } from 'node:child_process';
import { median, reportFigure } from './report.js';
import { startServe } from '../test/helpers/serve-process.js';
import { BENCH_JWT_SECRET, benchDatabase } from './helpers/bench-database.js';

const rounds = Number(process.env.BENCH_RUNS ?? 5);
const BARE = `const s=require('node:http').createServer((q,r)=>r.end('ok'));s.listen(0,'127.0.0.1',()=>console.log('PORT '+s.address().port))`;

async function untilAnswered(url: string, healthy: (status: number, text: string) => boolean): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(url);
      if (healthy(res.status, await res.text())) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function bare(): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.on('data', (d: Buffer) => resolve(/PORT (\d+)/.exec(d.toString())![1]!)));
  await untilAnswered(`http://127.0.0.1:${port}/`, (s) => s === 200);
  const ms = performance.now() - start;
  child.kill();
  return ms;
}

const db = await benchDatabase();
try {
  const env = { DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET };
  const serve = async () => {
    const start = performance.now();
    const server = await startServe(env);
    await untilAnswered(`${server.url}/health`, (s, t) => s === 200 && t.includes('"healthy"'));
    const ms = performance.now() - start;
    await server.stop();
    return ms;
  };
  await bare();
  await serve();
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await bare());
    s.push(await serve());
  }
  reportFigure({
    name: 'serve-startup',
    what: '`tierctl serve` spawn to first healthy /health (median)',
    value: Math.round(median(s)),
    unit: 'ms',
    baseline: `bare node:http spawn to first answer: ${Math.round(median(b))} ms (${(median(s) / median(b)).toFixed(1)}x)`,
    goal: '<= 1000 ms',
    met: median(s) <= 1000,
    detail: { serveMs: s.map(Math.round), bareMs: b.map(Math.round) },
  });
} finally {
  await db.drop();
}
