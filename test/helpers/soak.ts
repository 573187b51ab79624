/**
 * N requests over a mix of users and models against `tierctl serve`, then a graceful
 * shutdown (SIGTERM): api_logs must hold exactly one row per request with the user, model,
 * status and error code the client saw; the server's memory and its database connections
 * (pg_stat_activity, per application_name) are watched throughout.
 */
import pg from 'pg';
import { Agent, request } from 'undici';
import { loginToken } from './api-client.js';
import { seedSandbox } from './sandbox.js';
import { startServe } from './serve-process.js';
import { createTestDatabase } from './test-database.js';

export interface SoakResult {
  readonly requests: number;
  /** What the client saw and what api_logs holds, as `METHOD path user model status code` -> count. */
  readonly seen: Readonly<Record<string, number>>;
  readonly logged: Readonly<Record<string, number>>;
  readonly rssWarmKb: number;
  readonly rssEndKb: number;
  readonly rssMaxKb: number;
  /** Most server connections seen at once in pg_stat_activity, per application_name, and in all. */
  readonly maxConnections: Readonly<Record<string, number>>;
  readonly maxConnectionsTotal: number;
  readonly connectionSamples: number;
  /** The request pool's size (server default), and what the server may open besides it. */
  readonly poolSize: number;
  readonly dedicatedConnections: number;
  readonly exitCode: number | null;
  readonly seconds: number;
}

/** src/server/app.ts: the request pool (poolMax default 10), plus one api_logs and one LISTEN connection. */
const POOL_SIZE = 10;
const DEDICATED = 2;
const MODELS = ['gpt-5', 'claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-4o-mini', 'no-such-model'];

function watchConnections(client: pg.Client) {
  const max: Record<string, number> = {};
  let total = 0;
  let samples = 0;
  let watching = true;
  const loop = (async () => {
    while (watching) {
      const { rows } = await client.query<{ name: string; n: number }>(
        `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name LIKE 'tierctl-server%' GROUP BY 1`,
      );
      samples += 1;
      for (const r of rows) max[r.name] = Math.max(max[r.name] ?? 0, r.n);
      total = Math.max(total, rows.reduce((a, r) => a + r.n, 0));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    watching = false;
    await loop;
    return { max, total, samples };
  };
}

export async function soak(o: { requests: number; warmup: number; concurrency: number }): Promise<SoakResult> {
  const db = await createTestDatabase('all');
  try {
    await seedSandbox(db);
    const server = await startServe({ DATABASE_URL: db.url, JWT_SECRET: 'soak-only-jwt-secret-0123456789abcdef0123456789' });
    const seen: Record<string, number> = {};
    const count = (key: string) => (seen[key] = (seen[key] ?? 0) + 1);
    const users = ['free', 'pro', 'enterprise'];
    const tokens = await Promise.all(users.map((t) => loginToken(server.url, `${t}@example.com`)));
    for (const t of users) count(`POST /v1/auth/login ${t}@example.com - 200 -`);
    const dispatcher = new Agent({ connections: o.concurrency });
    const watcher = new pg.Client({ connectionString: db.url, application_name: 'tierctl-soak-watcher' });
    await watcher.connect();
    const stopWatching = watchConnections(watcher);
    let next = 0;
    let rssWarmKb = Number.NaN;
    let rssMaxKb = 0;
    const rssTimer = setInterval(() => (rssMaxKb = Math.max(rssMaxKb, server.rssKb())), 100);
    const start = performance.now();
    const one = async (i: number) => {
      const user = users[i % 3]!;
      const list = i % 4 === 0;
      const model = list ? '-' : MODELS[i % MODELS.length]!;
      const path = list ? '/v1/models' : '/v1/chat/completions';
      const res = await request(`${server.url}${path}`, {
        method: list ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${tokens[i % 3]}`, ...(list ? {} : { 'content-type': 'application/json' }) },
        body: list ? null : JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
        dispatcher,
      });
      const text = await res.body.text();
      const code = res.statusCode >= 400 ? ((JSON.parse(text) as { code?: string }).code ?? '?') : '-';
      count(`${list ? 'GET' : 'POST'} ${path} ${user}@example.com ${model} ${res.statusCode} ${code}`);
    };
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < o.requests) {
          const i = next++;
          if (i === o.warmup) rssWarmKb = server.rssKb();
          await one(i);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    clearInterval(rssTimer);
    const rssEndKb = server.rssKb();
    await dispatcher.close();
    const exitCode = await server.stop();
    const connections = await stopWatching();
    const { rows } = await watcher.query<{ key: string; n: number }>(
      `SELECT l.method || ' ' || l.path || ' ' || coalesce(u.email, '-') || ' ' || coalesce(l.model_id, '-') || ' ' || l.status_code || ' ' || coalesce(l.error_code, '-') AS key, count(*)::int AS n
         FROM api_logs l LEFT JOIN users u ON u.id = l.user_id GROUP BY 1`,
    );
    await watcher.end();
    return {
      requests: o.requests + tokens.length,
      seen,
      logged: Object.fromEntries(rows.map((r) => [r.key, r.n])),
      rssWarmKb,
      rssEndKb,
      rssMaxKb: Math.max(rssMaxKb, rssEndKb),
      maxConnections: connections.max,
      maxConnectionsTotal: connections.total,
      connectionSamples: connections.samples,
      poolSize: POOL_SIZE,
      dedicatedConnections: DEDICATED,
      exitCode,
      seconds,
    };
  } finally {
    await db.drop();
  }
}
