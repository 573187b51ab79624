/**
 * Authenticated GET /v1/models (token verified, tier from the cache, the cached catalog, an
 * api_logs row) against a bare Fastify route answering the same JSON. Goal: >= 0.60x.
 */
import { BENCH_JWT_SECRET, benchDatabase, login } from './helpers/bench-database.js';
import { compare, reportRatio, startBenchServer } from './helpers/http-bench.js';

const db = await benchDatabase();
const app = await startBenchServer({ BENCH_KIND: 'app', DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET });
try {
  const token = await login(app.url, 'pro@example.com');
  const headers = { authorization: `Bearer ${token}` };
  const sample = await fetch(`${app.url}/v1/models`, { headers });
  const listing = await sample.text();
  if (sample.status !== 200) throw new Error(`expected 200, got ${sample.status}`);
  const bare = await startBenchServer({ BENCH_KIND: 'bare', BENCH_STATUS: '200', BENCH_BODY: listing });
  try {
    const r = await compare(
      { server: app, load: { path: '/v1/models', method: 'GET', headers, status: 200 } },
      { server: bare, load: { path: '/bare', method: 'GET', headers, status: 200 } },
    );
    reportRatio('server-models', 'authenticated GET /v1/models, requests/s vs a bare Fastify route with the same JSON', 0.6, r, { bytes: listing.length });
  } finally {
    await bare.stop();
  }
} finally {
  await app.stop();
  await db.drop();
}
