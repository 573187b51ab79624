/**
 * `tierctl serve` from the built CLI: starts (with its cache listener), answers /health and the guide's login, stops
 * gracefully on SIGTERM (exit 0, api_logs flushed); refuses a missing or short JWT_SECRET
 * (exit 2) and an unreachable database (exit 3).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { startFakeUpstream, upstreamChatCompletion } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');

function startServe(env: Record<string, string>) {
  const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), 'serve', '--port', '0', '--database-url', db().url], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /"msg":"Server started on port (\d+)"/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, port, exited, output: () => ({ stdout, stderr }) };
}

describe('tierctl serve', () => {
  it('starts, answers, and stops gracefully on SIGTERM with its api_logs flushed', async () => {
    await seedSandbox(db());
    const serve = startServe({ JWT_SECRET: TEST_JWT_SECRET });
    const port = await serve.port;
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', database: 'connected', policies: 'database', cache_invalidation: 'listen' });
    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'free@example.com', password: 'Password123!' }),
    });
    expect(login.status).toBe(200);
    // The LISTEN/NOTIFY cache listener is on by default: one connection of its own, listening
    // on the cache channel and on the probe channel that proves it delivers.
    const listener = await db().pool.query(`SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tierctl-server-listener'`);
    expect(listener.rows.map((r) => r.query)).toEqual(['LISTEN "tierctl_cache"; LISTEN "tierctl_cache_probe"']);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    const { stdout } = serve.output();
    for (const message of ['Database connected successfully', 'Cache invalidation: listening on tierctl_cache', 'ModelService: Initialized', `Server started on port ${port}`]) expect(stdout).toContain(message);
    expect(stdout).not.toContain(TEST_JWT_SECRET);
    const { rows } = await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_logs');
    expect(rows[0]!.n).toBe(2);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes, or none, with exit 2 and without echoing it', async () => {
    const short = await runCli(['serve', '--port', '0', '--database-url', db().url], { env: { JWT_SECRET: 'short-secret-31-bytes-long-xxxx' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('JWT_SECRET');
    expect(short.stderr).toContain('32 bytes');
    expect(short.stderr + short.stdout).not.toContain('short-secret-31-bytes-long-xxxx');
    const none = await runCli(['serve', '--port', '0', '--database-url', db().url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('JWT_SECRET');
  });

  it('exits 3 when the database cannot be reached at start', async () => {
    const run = await runCli(['serve', '--port', '0', '--database-url', 'postgresql://postgres@127.0.0.1:1/nowhere'], { env: { JWT_SECRET: TEST_JWT_SECRET } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Cannot reach PostgreSQL');
  });
});

describe('tierctl serve with an openai-compatible upstream', () => {
  const key = 'sk-serve-secret-key-55c2e8aa';

  it('refuses a base URL that is not http(s) and a bad timeout with exit 2, naming them, never echoing the key', async () => {
    const env = { JWT_SECRET: TEST_JWT_SECRET, OPENAI_COMPATIBLE_BASE_URL: 'ftp://gateway.internal', OPENAI_COMPATIBLE_API_KEY: key, OPENAI_COMPATIBLE_TIMEOUT_MS: '-5' };
    const run = await runCli(['serve', '--port', '0', '--database-url', db().url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OPENAI_COMPATIBLE_BASE_URL: expected an http:// or https:// URL');
    expect(run.stderr).toContain('OPENAI_COMPATIBLE_TIMEOUT_MS');
    expect(run.stderr + run.stdout).not.toContain(key);
  });

  it('sends models whose provider is openai-compatible to the configured upstream with the key as Bearer', async () => {
    await seedSandbox(db());
    await db().pool.query(
      `INSERT INTO models (id, name, display_name, provider, is_available, credits_per_1k_tokens) VALUES ('upstream-free', 'Upstream', 'Upstream', 'openai-compatible', true, 1)`,
    );
    const upstream = await startFakeUpstream({ kind: 'json', body: upstreamChatCompletion('from the gateway') });
    try {
      const serve = startServe({ JWT_SECRET: TEST_JWT_SECRET, OPENAI_COMPATIBLE_BASE_URL: `${upstream.url}/v1`, OPENAI_COMPATIBLE_API_KEY: key, OPENAI_COMPATIBLE_TIMEOUT_MS: '5000' });
      const base = `http://127.0.0.1:${await serve.port}`;
      const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'free@example.com', password: 'Password123!' }) });
      const { access_token } = (await login.json()) as { access_token: string };
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'upstream-free', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(body).choices[0].message.content).toBe('from the gateway');
      expect(upstream.hits.map((h) => [h.path, h.authorization])).toEqual([['/v1/chat/completions', `Bearer ${key}`]]);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      const { stdout, stderr } = serve.output();
      expect(stdout).toContain('Provider openai-compatible configured');
      expect(stdout + stderr + body).not.toContain(key);
    } finally {
      await upstream.close();
    }
  });
});
