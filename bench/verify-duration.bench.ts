/**
 * `tierctl verify` (health, three logins, the eight checks, test 1 against the database)
 * against a local sandbox served by `tierctl serve`: whole-command wall time, median of a
 * few runs, against `tierctl --help` (the CLI's start-up floor) in the same run. Goal <= 1.5 s.
 */
import { spawnSync } from 'node:child_process';
import { packagePath } from '../src/shared/package-root.js';
import { startServe } from '../test/helpers/serve-process.js';
import { BENCH_JWT_SECRET, benchDatabase } from './helpers/bench-database.js';
import { median, reportFigure } from './report.js';

const rounds = Number(process.env.BENCH_RUNS ?? 5);
const bin = packagePath('bin', 'tierctl.js');

function time(args: string[], env: Record<string, string> = {}): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`tierctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - start;
}

const db = await benchDatabase();
try {
  const server = await startServe({ DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET });
  try {
    const args = ['verify', '--api-url', server.url, '--database-url', db.url];
    time(args);
    const help: number[] = [];
    const verify: number[] = [];
    for (let i = 0; i < rounds; i++) {
      help.push(time(['--help']));
      verify.push(time(args));
    }
    reportFigure({
      name: 'verify-duration',
      what: '`tierctl verify` on the local sandbox, all eight checks (median wall time)',
      value: Math.round(median(verify)),
      unit: 'ms',
      baseline: `tierctl --help: ${Math.round(median(help))} ms`,
      goal: '<= 1500 ms',
      met: median(verify) <= 1500,
      detail: { verifyMs: verify.map(Math.round), helpMs: help.map(Math.round) },
    });
  } finally {
    await server.stop();
  }
} finally {
  await db.drop();
}
