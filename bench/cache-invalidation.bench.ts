/**
 * How long a subscription change in SQL takes to reach two running instances (each in its
 * own process, caches warm): from the UPDATE's commit to both answering the new decision,
 * polled back to back. Goal: p95 <= 1000 ms (the "within one second"). Baseline: one
 * poll round (an authenticated request to each instance), measured in the same run.
 */
import pg from 'pg';
import { BENCH_JWT_SECRET, benchDatabase, login } from './helpers/bench-database.js';
import { startBenchServer, type BenchServer } from './helpers/http-bench.js';
import { quantile, reportFigure } from './report.js';

const ROUNDS = 40;
const db = await benchDatabase();
const servers: BenchServer[] = [];
const client = new pg.Client({ connectionString: db.url });
try {
  for (let i = 0; i < 2; i++) servers.push(await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET }));
  await client.connect();
  const token = await login(servers[0]!.url, 'free@example.com');
  const body = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'Hello' }] });
  const ask = async (s: BenchServer) => {
    const res = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return res.status;
  };
  const round = () => Promise.all(servers.map(ask));
  const propagation: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [tier, want] = i % 2 === 0 ? ['enterprise', 200] : ['free', 403];
    for (let w = 0; w < 3; w++) await round(); // warm: the current tier is cached on both
    await client.query(`UPDATE subscriptions SET tier = $1::subscription_tier WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`, [tier]);
    const committed = performance.now();
    for (;;) {
      const t = performance.now();
      const statuses = await round();
      polls.push(performance.now() - t);
      if (statuses.every((s) => s === want)) break;
      if (performance.now() - committed > 10_000) throw new Error(`round ${i}: not propagated after 10 s (${statuses.join(', ')})`);
    }
    propagation.push(performance.now() - committed);
  }
  const p95 = quantile(propagation, 0.95);
  reportFigure({
    name: 'cache-invalidation',
    what: 'subscription change in SQL to both of two running instances answering accordingly, p95',
    value: Number(p95.toFixed(2)),
    unit: 'ms',
    baseline: `one poll round (a request to each instance) p50: ${quantile(polls, 0.5).toFixed(2)} ms`,
    goal: '<= 1000',
    met: p95 <= 1000,
    detail: { rounds: ROUNDS, p50Ms: Number(quantile(propagation, 0.5).toFixed(2)), maxMs: Number(Math.max(...propagation).toFixed(2)) },
  });
} finally {
  await client.end().catch(() => {});
  for (const s of servers) await s.stop();
  await db.drop();
}
