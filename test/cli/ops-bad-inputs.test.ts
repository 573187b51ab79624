import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { ADMIN_URL, useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('tier');
const SECRET = 'topsecret-pw-123';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-cli-ops-'));
  await seedSandbox(db());
  await writeLedgerUpTo(db(), TIER_MIGRATION);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withRole = (role: string) => {
  const u = new URL(ADMIN_URL);
  u.username = role;
  u.password = SECRET;
  u.pathname = `/${db().name}`;
  return u.toString();
};

describe('bad inputs, every command', () => {
  const commands = [['preflight'], ['backup', '--dir', '.'], ['restore', 'x.manifest.json', '--yes'], ['seed', '--yes'], ['users', 'create']];

  it('a malformed URL is exit 2 and the value is not echoed', async () => {
    const runs = await Promise.all(commands.map(async (cmd) => [cmd, await runCli([...cmd, '--database-url', `mysql://app:${SECRET}@db/app`])] as const));
    for (const [cmd, r] of runs) {
      expect([cmd[0], r.code]).toEqual([cmd[0], 2]);
      expect(r.stderr).toContain('--database-url / DATABASE_URL: expected a postgres:// or postgresql:// URL');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('an unreachable host is exit 3, naming host and port, never the password', async () => {
    const runs = await Promise.all(commands.filter((c) => c[0] !== 'restore').map(async (cmd) => [cmd, await runCli([...cmd, '--database-url', `postgresql://postgres:${SECRET}@127.0.0.1:1/app`])] as const));
    for (const [cmd, r] of runs) {
      expect([cmd[0], r.code]).toEqual([cmd[0], 3]);
      expect(r.stderr).toContain('Cannot reach PostgreSQL at 127.0.0.1:1/app');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('refused credentials are exit 3 without the password (tested with a role that does not exist: the local server trusts any password)', async () => {
    const runs = await Promise.all(commands.filter((c) => c[0] !== 'restore').map(async (cmd) => [cmd, await runCli([...cmd, '--database-url', withRole('tierctl_no_such_role'), '--json'])] as const));
    for (const [cmd, r] of runs) {
      expect([cmd[0], r.code]).toEqual([cmd[0], 3]);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'database_auth_failed' });
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('no pg_dump on PATH: backup is exit 2 with a hint, preflight reports a blocker (exit 1)', async () => {
    const env = { PATH: '/nonexistent-bin' };
    const b = await runCli(['backup', '--dir', dir, '--database-url', db().url], { env });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('pg_dump: not found on PATH');
    expect(b.stderr).toContain('postgresql-client');
    expect(await readdir(dir)).toEqual([]);
    const p = await runCli(['preflight', '--json', '--database-url', db().url, '--backup-dir', dir], { env });
    expect(p.code).toBe(1);
    expect(JSON.parse(p.stdout).checks).toContainEqual(expect.objectContaining({ id: 'pg-dump', status: 'blocker' }));
  });

  it('a backup directory that does not exist is exit 2', async () => {
    const r = await runCli(['backup', '--dir', join(dir, 'missing'), '--database-url', db().url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist');
  });
});
