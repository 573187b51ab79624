/**
 * Soak: 20,000 requests (three users, five models: allowed, denied, unknown) against
 * `tierctl serve`, then SIGTERM. The figure is the server's RSS at the end against its RSS
 * after warm-up (goal <= 1.20x); api_logs must hold exactly the 20,000 rows the client saw
 * (status and error code) and connections stay within the pool, else the figure fails.
 */
import { soak } from '../test/helpers/soak.js';
import { reportFigure } from './report.js';

const requests = Number(process.env.BENCH_SOAK_REQUESTS ?? 20_000);
const r = await soak({ requests, warmup: 2_000, concurrency: 16 });
const ratio = r.rssEndKb / r.rssWarmKb;
const keys = new Set([...Object.keys(r.seen), ...Object.keys(r.logged)]);
const rowsMatch = [...keys].every((k) => r.seen[k] === r.logged[k]);
reportFigure({
  name: 'soak',
  what: `server RSS after ${requests} requests vs after warm-up (then api_logs rows = requests, connections <= pool)`,
  value: Number(ratio.toFixed(2)),
  unit: 'x',
  baseline: `RSS after warm-up: ${Math.round(r.rssWarmKb / 1024)} MiB`,
  goal: '<= 1.20, rows exact, connections <= pool',
  met: ratio <= 1.2 && rowsMatch && r.maxConnections <= r.poolSize && r.exitCode === 0,
  detail: { requests: r.requests, rowsMatch, seen: r.seen, logged: r.logged, rssWarmKb: r.rssWarmKb, rssEndKb: r.rssEndKb, maxConnections: r.maxConnections, poolSize: r.poolSize, rps: Math.round(r.requests / r.seconds), exitCode: r.exitCode },
});
