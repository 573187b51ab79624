/**
 * Soak: 20,000 requests (three users, five models: allowed, denied, unknown) against
 * `tierctl serve`, then SIGTERM. The figure is the server's RSS at the end against its RSS
 * after warm-up (goal <= 1.20x); api_logs must hold exactly the rows the client saw (per
 * route, user, model, status and error code) and the server's connections stay within its
 * pool (plus its api_logs and LISTEN connections), else the figure fails.
 */
import { soak } from '../test/helpers/soak.js';
import { reportFigure } from './report.js';

const requests = Number(process.env.BENCH_SOAK_REQUESTS ?? 20_000);
const r = await soak({ requests, warmup: 2_000, concurrency: 16 });
const ratio = r.rssEndKb / r.rssWarmKb;
const keys = new Set([...Object.keys(r.seen), ...Object.keys(r.logged)]);
const mismatched = [...keys].filter((k) => r.seen[k] !== r.logged[k]);
const loggedRows = Object.values(r.logged).reduce((a, b) => a + b, 0);
const poolOk = (r.maxConnections['tierctl-server'] ?? 0) <= r.poolSize && r.maxConnectionsTotal <= r.poolSize + r.dedicatedConnections;
const byOutcome = (m: Readonly<Record<string, number>>) =>
  Object.entries(m).reduce<Record<string, number>>((acc, [k, n]) => {
    const outcome = k.split(' ').slice(-2).join(' ');
    acc[outcome] = (acc[outcome] ?? 0) + n;
    return acc;
  }, {});
reportFigure({
  name: 'soak',
  what: `server RSS after ${requests} requests vs after warm-up (then api_logs rows = requests, connections <= pool)`,
  value: Number(ratio.toFixed(2)),
  unit: 'x',
  baseline: `RSS after warm-up: ${Math.round(r.rssWarmKb / 1024)} MiB`,
  goal: '<= 1.20, rows exact, connections <= pool',
  met: ratio <= 1.2 && mismatched.length === 0 && loggedRows === r.requests && poolOk && r.exitCode === 0,
  detail: {
    requests: r.requests,
    loggedRows,
    mismatched,
    seen: byOutcome(r.seen),
    logged: byOutcome(r.logged),
    rssWarmKb: r.rssWarmKb,
    rssEndKb: r.rssEndKb,
    rssMaxKb: r.rssMaxKb,
    maxConnections: r.maxConnections,
    maxConnectionsTotal: r.maxConnectionsTotal,
    connectionSamples: r.connectionSamples,
    poolSize: r.poolSize,
    rps: Math.round(r.requests / r.seconds),
    exitCode: r.exitCode,
  },
});
