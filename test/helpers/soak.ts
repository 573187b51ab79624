/**
 * N requests over a mix of users and models against `tierctl serve`, then a graceful
 * shutdown: api_logs must hold exactly one row per request with the status and error code
 * the client saw; the server's memory and database connections are watched throughout.
 */
import pg from 'pg';
import { Agent, request } from 'undici';
import { loginToken } from './api-client.js';
import { seedSandbox } from './sandbox.js';
import { startServe } from './serve-process.js';
import { createTestDatabase } from './test-database.js';

export interface SoakResult {
  readonly requests: number;
  /** What the client saw and what api_logs holds, as `status code` -> count. */
  readonly seen: Readonly<Record<string, number>>;
  readonly logged: Readonly<Record<string, number>>;
  readonly rssWarmKb: number;
  readonly rssEndKb: number;
  /** Most server connections seen at once in pg_stat_activity, and the pool size. */
  readonly maxConnections: number;
  readonly poolSize: number;
  readonly exitCode: number | null;
  readonly seconds: number;
}

const POOL_SIZE = 10;

export async function soak(o: { requests: number; warmup: number; concurrency: number }): Promise<SoakResult> {
  const db = await createTestDatabase('all');
  try {
    await seedSandbox(db);
    const server = await startServe({ DATABASE_URL: db.url, JWT_SECRET: 'soak-only-jwt-secret-0123456789abcdef0123456789' });
    const seen: Record<string, number> = {};
    const count = (key: string) => (seen[key] = (seen[key] ?? 0) + 1);
    const tokens = await Promise.all(['free', 'pro', 'enterprise'].map((t) => loginToken(server.url, `${t}@example.com`)));
    for (let i = 0; i < tokens.length; i++) count('200 -');
    const models = ['gpt-5', 'claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-4o-mini', 'no-such-model'];
    const dispatcher = new Agent({ connections: o.concurrency });
    const watcher = new pg.Client({ connectionString: db.url, application_name: 'tierctl-soak-watcher' });
    await watcher.connect();
    let maxConnections = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tierctl-server'`);
        maxConnections = Math.max(maxConnections, rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    let next = 0;
    let rssWarmKb = Number.NaN;
    const start = performance.now();
    const one = async (i: number) => {
      const token = tokens[i % 3]!;
      const list = i % 4 === 0;
      const res = await request(`${server.url}/v1/${list ? 'models' : 'chat/completions'}`, {
        method: list ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, ...(list ? {} : { 'content-type': 'application/json' }) },
        body: list ? null : JSON.stringify({ model: models[i % models.length], messages: [{ role: 'user', content: 'Hello' }] }),
        dispatcher,
      });
      const text = await res.body.text();
      const code = res.statusCode >= 400 ? ((JSON.parse(text) as { code?: string }).code ?? '?') : '-';
      count(`${res.statusCode} ${code}`);
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
    const rssEndKb = server.rssKb();
    await dispatcher.close();
    const exitCode = await server.stop();
    watching = false;
    await watch;
    const { rows } = await watcher.query<{ key: string; n: number }>(`SELECT status_code || ' ' || coalesce(error_code, '-') AS key, count(*)::int AS n FROM api_logs GROUP BY 1`);
    await watcher.end();
    return {
      requests: o.requests + tokens.length,
      seen,
      logged: Object.fromEntries(rows.map((r) => [r.key, r.n])),
      rssWarmKb,
      rssEndKb,
      maxConnections,
      poolSize: POOL_SIZE,
      exitCode,
      seconds,
    };
  } finally {
    await db.drop();
  }
}
