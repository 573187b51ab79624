import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { adminQuery, databaseUrl, useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('tier');
const SECRET = 'topsecret-pw-123';
let dir: string;
let manifest: string;
const copyName = () => `${db().name}_cli_copy`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-cli-ops-'));
  await seedSandbox(db());
  await writeLedgerUpTo(db(), TIER_MIGRATION);
});
afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS "${copyName()}" WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('backup, verify, restore through the CLI', () => {
  it('backup with a password in the URL: done, the password appears nowhere', async () => {
    const url = db().url.replace('postgres@', `postgres:${SECRET}@`);
    const r = await runCli(['backup', '--dir', dir, '--database-url', url, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    manifest = out.manifestPath;
    expect(out.manifest.url).toBe(url.replace(SECRET, '***'));
    expect(r.stdout + r.stderr + (await readFile(manifest, 'utf8'))).not.toContain(SECRET);
    expect((await runCli(['backup', 'verify', manifest])).code).toBe(0);
    const verified = await runCli(['backup', 'verify', manifest, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, manifestPath: manifest, tocEntries: expect.any(Number) });
  });

  it('preflight: ready once the backup directory has room (exit 0)', async () => {
    const r = await runCli(['preflight', '--database-url', db().url, '--backup-dir', dir]);
    expect(r.stdout).toContain('Ready: no blockers');
    expect(r.code).toBe(0);
  });

  it('restore into a new database needs no confirmation; in place without a terminal or --yes it refuses (4)', async () => {
    const copy = await runCli(['restore', manifest, '--database-url', db().url, '--to-database', copyName()]);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain('every row count matches the manifest');
    expect(await tableChecksums(databaseUrl(copyName()))).toEqual(await tableChecksums(db().url));
    const refused = await runCli(['restore', manifest, '--database-url', db().url]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('DROPPED and replaced');
    expect(refused.stderr).toContain('Refusing to replace the contents of');
    await db().pool.query(`DELETE FROM subscriptions`);
    const yes = await runCli(['restore', manifest, '--database-url', db().url, '--yes']);
    expect(yes.code).toBe(0);
    expect(await tableChecksums(db().url)).toEqual(await tableChecksums(databaseUrl(copyName())));
  });

  it('a tampered dump: verify and restore both refuse with exit 4', async () => {
    const m = JSON.parse(await readFile(manifest, 'utf8'));
    const dump = join(dir, m.files.dump.name);
    const bytes = await readFile(dump);
    bytes[bytes.length - 10]! ^= 0x01;
    await writeFile(dump, bytes);
    const v = await runCli(['backup', 'verify', manifest]);
    expect(v.code).toBe(4);
    expect(v.stderr).toContain(`${dump}: sha256`);
    // --json reaches `backup verify` itself (the parent's --json took it): JSON on a mismatch too.
    const j = await runCli(['backup', 'verify', manifest, '--json']);
    expect(j.code).toBe(4);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'backup_mismatch', exitCode: 4, problems: [expect.stringContaining(`${dump}: sha256`)] } });
    const r = await runCli(['restore', manifest, '--database-url', db().url, '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Backup does not match its manifest');
  });
});
