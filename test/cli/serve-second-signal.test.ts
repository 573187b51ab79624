/**
 * A second SIGTERM while `tierctl serve` (or `node dist/server/main.js`) is stopping: one
 * last api_logs write of at most a second, then it logs exactly how many rows it abandons
 * and exits 130, instead of waiting out the graceful retries or a request still running.
 * The database sits behind a TCP proxy that the test takes away and brings back.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { useTcpFaultProxy } from '../helpers/tcp-fault-proxy.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const proxy = useTcpFaultProxy(() => db().url);

/** The server on a free port, its database behind the proxy; JSON log lines from stdout. */
async function startServer(entry: 'tierctl serve' | 'main.js', env: Record<string, string> = {}) {
  const url = proxy().route(db().url);
  const args = entry === 'main.js' ? [packagePath('dist', 'server', 'main.js')] : [packagePath('bin', 'tierctl.js'), 'serve', '--port', '0', '--database-url', url];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', ...(entry === 'main.js' ? { DATABASE_URL: url, PORT: '0' } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const lines = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  const logged = (msg: string) => lines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));
  const started = await waitFor('the server to listen', async () => logged('Server started on port ')[0], 30_000);
  return { child, exited, logged, stderr: () => stderr, base: `http://127.0.0.1:${started.port}` };
}

const rowCount = async () => (await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_logs')).rows[0]!.n;

async function requests(base: string, n: number) {
  for (let i = 0; i < n; i++) expect((await fetch(`${base}/no-such-route-${i}`)).status).toBe(404);
}

describe('a second signal while stopping', () => {
  it('tierctl serve, database still unreachable: one last attempt, exactly the abandoned rows logged, exit 130', async () => {
    await db().pool.query('TRUNCATE api_logs');
    proxy().restore();
    const server = await startServer('tierctl serve');
    await requests(server.base, 4);
    await waitFor('4 rows written', async () => (await rowCount()) === 4);
    proxy().cut('refuse');
    await requests(server.base, 6);
    server.child.kill('SIGTERM');
    await waitFor('the graceful stop to start', async () => server.logged('Shutting down').length > 0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(130);
    expect(server.logged('Second signal: one last api_logs write (at most 1000 ms)')).toHaveLength(1);
    const [abandoned] = server.logged('api_logs: 6 rows abandoned at shutdown (not written)');
    expect(abandoned).toMatchObject({ recorded: 10, written: 4, dropped: 6, abandoned: 6, commitUnknown: 0 });
    expect(server.stderr()).toContain('Stopped by a second signal: 6 api_logs rows abandoned');
    proxy().restore();
    expect(await rowCount()).toBe(4);
  });

  it('node dist/server/main.js, a request still running holds up the stop: the last attempt writes every row, none abandoned, without waiting for it', async () => {
    await db().pool.query('TRUNCATE api_logs');
    proxy().restore();
    await seedSandbox(db());
    await db().pool.query(`INSERT INTO models (id, name, display_name, provider, is_available, credits_per_1k_tokens) VALUES ('upstream-free', 'Upstream', 'Upstream', 'openai-compatible', true, 1) ON CONFLICT (id) DO NOTHING`);
    const upstream = await startFakeUpstream({ kind: 'hang' });
    try {
      const server = await startServer('main.js', { OPENAI_COMPATIBLE_BASE_URL: upstream.url, OPENAI_COMPATIBLE_TIMEOUT_MS: '60000' });
      const login = await fetch(`${server.base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'free@example.com', password: 'Password123!' }) });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const slow = fetch(`${server.base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'upstream-free', messages: [{ role: 'user', content: 'Hi' }] }),
      }).then((r) => r.status, () => 'cut' as const);
      await waitFor('the request at the upstream', async () => upstream.hits.length === 1);
      await requests(server.base, 5);
      server.child.kill('SIGTERM');
      await waitFor('the graceful stop to start', async () => server.logged('Shutting down').length > 0);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(130);
      expect(await slow).toBe('cut'); // never answered, so it has no row
      expect(server.logged('api_logs: all 6 recorded rows accounted for (6 written, 0 dropped)')).toHaveLength(1);
      expect(server.stderr()).toContain('Stopped by a second signal: 0 api_logs rows abandoned');
      expect(await rowCount()).toBe(6); // the login and the five 404s
    } finally {
      await upstream.close();
    }
  });
});
