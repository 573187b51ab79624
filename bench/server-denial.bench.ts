/**
 * The authenticated 403 denial path (token verified, tier from the cache, model from the
 * cache, decideAccess, the guide's envelope, logs at info, an api_logs row) against a bare
 * Fastify route answering the same 403 body to the same request. Goal: >= 0.60x.
 */
import { BENCH_JWT_SECRET, benchDatabase, login } from './helpers/bench-database.js';
import { compare, reportRatio, startBenchServer } from './helpers/http-bench.js';

const db = await benchDatabase();
const app = await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET });
try {
  const token = await login(app.url, 'free@example.com');
  const body = JSON.stringify({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hello' }] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const sample = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers, body });
  const denial = await sample.text();
  if (sample.status !== 403) throw new Error(`expected 403, got ${sample.status}: ${denial}`);
  const bare = await startBenchServer({ BENCH_KIND: 'bare', BENCH_STATUS: '403', BENCH_BODY: denial });
  try {
    const r = await compare(
      { server: app, load: { path: '/v1/chat/completions', method: 'POST', headers, body, status: 403 } },
      { server: bare, load: { path: '/bare', method: 'POST', headers, body, status: 403 } },
    );
    reportRatio('server-denial', 'authenticated 403 tier denial, requests/s vs a bare Fastify route with the same body', 0.6, r);
  } finally {
    await bare.stop();
  }
} finally {
  await app.stop();
  await db.drop();
}
