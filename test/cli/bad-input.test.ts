import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** Issue 19 item 8: bad input reported as such (exit 2, a clear message), through the built CLI. */
describe('bad input is exit 2 with a clear message', () => {
  it('a database URL naming no host (it made the driver try localhost as the OS user)', async () => {
    for (const url of ['postgres://', 'postgresql:///app']) {
      const r = await runCli(['preflight', '--database-url', url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr).toContain('--database-url / DATABASE_URL: the URL names no host');
    }
  });

  it('a Unix socket directory is a host; one that is not there is unreachable (exit 3), not an internal error', async () => {
    const r = await runCli(['migrate', 'status', '--database-url', 'postgresql:///app?host=/nonexistent-socket-dir']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot reach PostgreSQL at /nonexistent-socket-dir:5432/app: ENOENT');
  });

  it('backup --dir /proc: named as a directory that takes no new files, no raw ENOENT', async () => {
    const r = await runCli(['backup', '--dir', '/proc', '--database-url', 'postgresql://u@127.0.0.1:1/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Backup directory \/proc does not accept new files/);
    expect(r.stderr).not.toContain('ENOENT: no such file');
  });

  it('TIERCTL_ENV_FILE naming a file that is not there is an error, not ignored', async () => {
    const r = await runCli(['migrate', 'status'], { env: { TIERCTL_ENV_FILE: 'missing.env', DATABASE_URL: 'postgresql://u@127.0.0.1:1/x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TIERCTL_ENV_FILE: cannot read missing.env (no such file)');
    const json = await runCli(['fixtures', '--json'], { env: { TIERCTL_ENV_FILE: 'missing.env' } });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'env_file_unreadable' } });
  });
});
