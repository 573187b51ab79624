import { chmod, mkdir, mkdtemp, readdir, readFile, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, type BackupReport } from '../../src/runbook/backup/backup.js';
import { restoreBackup } from '../../src/runbook/backup/restore-backup.js';
import { checkBackup } from '../../src/runbook/backup/check-backup.js';
import { unwrap } from '../../src/shared/failure.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { canMount, mountTmpfs } from '../helpers/scratch-mount.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('baseline');
const deps = { reporter: silentReporter };
let root: string;
let good: BackupReport;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tierctl-backup-fail-'));
  await seedSandbox(db(), { assignments: false, users: false });
  await db().pool.query(`INSERT INTO api_logs (method, path, status_code, latency_ms) SELECT 'GET', '/v1/models/' || md5(i::text), 200, i FROM generate_series(1, 2000) i`);
  await mkdir(join(root, 'good'));
  good = unwrap(await backupDatabase({ database: plainTarget(db().url), dir: join(root, 'good') }, deps));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of the good backup to damage. */
async function copyOfGood(name: string): Promise<{ dir: string; manifest: string; dump: string; csv: string }> {
  const dir = join(root, name);
  await mkdir(dir);
  for (const f of await readdir(join(root, 'good'))) await writeFile(join(dir, f), await readFile(join(root, 'good', f)));
  return { dir, manifest: join(dir, good.manifestPath.split('/').at(-1)!), dump: join(dir, good.manifest.files.dump.name), csv: join(dir, good.manifest.files.modelsCsv!.name) };
}

describe('backup refuses cleanly', () => {
  it('a directory that does not exist is exit 2', async () => {
    const r = await backupDatabase({ database: plainTarget(db().url), dir: join(root, 'nope') }, deps);
    expect(!r.ok && r.failure).toMatchObject({ code: 'backup_dir_missing', exitCode: 2 });
  });

  it('an unwritable directory is exit 2, with nothing written', async () => {
    const mount = mountTmpfs({ sizeKb: 64, readOnly: true });
    const dir = mount?.path ?? join(root, 'readonly');
    if (!mount) {
      await mkdir(dir);
      await chmod(dir, 0o555); // effective only when not root; as root the read-only mount is used
    }
    try {
      const r = await backupDatabase({ database: plainTarget(db().url), dir }, deps);
      expect(!r.ok && r.failure).toMatchObject({ code: 'backup_dir_unwritable', exitCode: 2 });
      expect(!r.ok && r.failure.message).toMatch(/does not accept new files \((EROFS|EACCES)\)/);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      mount?.unmount();
    }
  });

  it('/proc (root passes the permission check, the file system refuses new files) is exit 2 naming why, not a raw ENOENT', async () => {
    const r = await backupDatabase({ database: plainTarget(db().url), dir: '/proc' }, deps);
    expect(!r.ok && r.failure).toMatchObject({ code: 'backup_dir_unwritable', exitCode: 2 });
    expect(!r.ok && r.failure.message).toMatch(/^Backup directory \/proc does not accept new files \((its file system does not allow creating files|EACCES)\)$/);
  });

  it('a missing pg_dump is exit 2 with a hint, and nothing is written', async () => {
    const dir = join(root, 'no-pg-dump');
    await mkdir(dir);
    const r = await backupDatabase({ database: plainTarget(db().url), dir, pgDump: '/nonexistent/bin/pg_dump' }, deps);
    expect(!r.ok && r.failure).toMatchObject({ code: 'command_not_found', exitCode: 2 });
    expect(!r.ok && r.failure.hint).toMatch(/postgresql-client/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(canMount)('disk full: a clear error, no file under a final name, no temporary left', async () => {
    const mount = mountTmpfs({ sizeKb: 256 })!;
    try {
      const fs = await statfs(mount.path);
      await writeFile(join(mount.path, 'filler'), Buffer.alloc(Number(fs.bavail) * Number(fs.bsize) - 8192));
      const r = await backupDatabase({ database: plainTarget(db().url), dir: mount.path }, deps);
      expect(!r.ok && r.failure).toMatchObject({ code: 'disk_full', exitCode: 1 });
      expect(!r.ok && r.failure.message).toContain('no space left on device');
      expect(await readdir(mount.path)).toEqual(['filler']);
    } finally {
      mount.unmount();
    }
  });
});

describe('backup verify and restore refuse a damaged backup (exit 4)', () => {
  it('one flipped byte in the dump: verify names the file and the checksums; restore refuses before asking', async () => {
    const b = await copyOfGood('flipped');
    const bytes = await readFile(b.dump);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(b.dump, bytes);
    const v = await checkBackup({ manifestPath: b.manifest }, deps);
    expect(!v.ok && v.failure).toMatchObject({ code: 'backup_mismatch', exitCode: 4 });
    expect(!v.ok && v.failure.message).toContain(`${b.dump}: sha256 `);
    expect(!v.ok && v.failure.message).toContain(`manifest says ${good.manifest.files.dump.sha256}`);
    let asked = false;
    const r = await restoreBackup({ manifestPath: b.manifest, database: plainTarget(db().url), toDatabase: `${db().name}_never` }, { ...deps, confirm: async () => (asked = true) });
    expect(!r.ok && r.failure.exitCode).toBe(4);
    expect(asked).toBe(false);
  });

  it('a missing models CSV, or a truncated dump, is named', async () => {
    const b = await copyOfGood('missing');
    await unlink(b.csv);
    const v = await checkBackup({ manifestPath: b.manifest }, deps);
    expect(!v.ok && v.failure.message).toContain(`${b.csv}: cannot read it (ENOENT)`);
    await writeFile(b.dump, (await readFile(b.dump)).subarray(0, 100));
    const t = await checkBackup({ manifestPath: b.manifest }, deps);
    expect(!t.ok && t.failure.message).toMatch(/size 100 bytes, manifest says \d+/);
  });

  it('a dump pg_restore cannot read is refused even when the manifest was rewritten to match it', async () => {
    const b = await copyOfGood('forged');
    const bytes = await readFile(b.dump);
    bytes.write('XXXXX', 0); // the "PGDMP" magic
    await writeFile(b.dump, bytes);
    const { createHash } = await import('node:crypto');
    const m = JSON.parse(await readFile(b.manifest, 'utf8'));
    m.files.dump.sha256 = createHash('sha256').update(bytes).digest('hex');
    await writeFile(b.manifest, JSON.stringify(m));
    const v = await checkBackup({ manifestPath: b.manifest }, deps);
    expect(!v.ok && v.failure).toMatchObject({ exitCode: 4 });
    expect(!v.ok && v.failure.message).toMatch(/pg_restore cannot read/);
  });

  it('a manifest that is not JSON is refused (4); one that does not exist is a usage error (2)', async () => {
    const b = await copyOfGood('bad-manifest');
    await writeFile(b.manifest, '{"format": "tierctl-backup/1", ');
    expect(await checkBackup({ manifestPath: b.manifest }, deps)).toMatchObject({ ok: false, failure: { code: 'manifest_invalid', exitCode: 4 } });
    expect(await checkBackup({ manifestPath: join(root, 'none.json') }, deps)).toMatchObject({ ok: false, failure: { code: 'manifest_unreadable', exitCode: 2 } });
  });
});
