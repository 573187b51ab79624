/**
 * Journeys where a rehearsal on a copy of production stops early: Ctrl-C while the copy is
 * made, a production whose ledger records a failed migration, a backup that needs an
 * extension and roles the sandbox server lacks. Each time: the finding (not an internal
 * error), the documented exit code, the source unchanged, nothing left on the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/sql.js';
import { fillProductionLike } from '../helpers/production-like.js';
import { findingsOf, pidOfSandbox, privateTmp, sandboxesOf, tierctlSessionsOn } from '../helpers/rehearsal.js';
import { runCli, runCliInterrupted } from '../helpers/run-cli.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { adminQuery, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function productionLike(at: 'baseline' | 'tier'): Promise<TestDatabase> {
  const db = await createTestDatabase('none');
  cleanups.push(() => db.drop());
  await fillProductionLike(db.url, { models: 20, users: 100, apiLogs: 20_000, at });
  return db;
}

describe('journey: a rehearsal on a copy that stops early', () => {
  it('Ctrl-C while the copy is made: exit 130, the sandbox dropped, pg_dump gone, the source unchanged', async () => {
    const source = await productionLike('baseline');
    const before = await tableChecksums(source.url);
    const tmp = await privateTmp();
    cleanups.push(() => tmp.remove());
    const r = await runCliInterrupted(['rehearse', '--from-database', source.url], /… Copy the database into the sandbox/, { env: tmp.env });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/✔ Clean up: .*dropped/);
    expect(await sandboxesOf(r.pid)).toEqual([]);
    expect(await tmp.leftovers()).toEqual([]);
    await waitFor('no tierctl session on the source', async () => (await tierctlSessionsOn(source.name)) === 0, 10_000);
    expect(await tableChecksums(source.url)).toEqual(before);
  }, 120_000);

  it('a source the given role may not read whole: pg_dump\'s error (exit 1), the half-made sandbox dropped, the source unchanged', async () => {
    const source = await productionLike('baseline');
    const role = `tierctl_t_reader_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    cleanups.push(() => adminQuery(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => adminQuery(`DROP ROLE IF EXISTS ${role}`)));
    await source.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}; REVOKE SELECT ON api_logs FROM ${role}`); // all but api_logs
    const before = await tableChecksums(source.url);
    const r = await runCli(['rehearse', '--from-database', source.url.replace('postgresql://postgres@', `postgresql://${role}@`), '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual(['source:ok', 'sandbox:ok', 'copy:failed']);
    expect(report.failure.message).toMatch(/^pg_dump exited with 1:[\s\S]*permission denied for table api_logs/);
    expect(report.failure.hint).toMatch(/pg_read_all_data/);
    expect(await sandboxesOf(pidOfSandbox(report.sandbox))).toEqual([]);
    expect(await tableChecksums(source.url)).toEqual(before);
  }, 120_000);

  it('a production whose ledger records a failed migration: that is the finding (exit 1), with the way out', async () => {
    const source = await productionLike('baseline');
    await source.pool.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000001', 'x', '20251108000000_add_model_tier_access_control', 'ERROR: canceling statement due to lock timeout', now(), 0)`,
    );
    const before = await tableChecksums(source.url);
    const r = await runCli(['rehearse', '--from-database', source.url, '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const report = JSON.parse(r.stdout);
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual(['source:ok', 'sandbox:ok', 'copy:ok', 'starting-state:failed']);
    const [blocker] = findingsOf(report, 'starting-state').filter((f) => f.severity === 'blocker');
    expect(blocker!.detail).toMatch(/`20251108000000_add_model_tier_access_control` migration .* failed: ERROR: canceling statement due to lock timeout/);
    expect(blocker!.wayOut).toMatch(/tierctl migrate resolve --rolled-back 20251108000000_add_model_tier_access_control/);
    expect(report.failure.code).toBe('rehearsal_blocked');
    expect(await sandboxesOf(pidOfSandbox(report.sandbox))).toEqual([]);
    expect(await tableChecksums(source.url)).toEqual(before);
  }, 120_000);

  it('a backup that needs an extension and roles the sandbox server lacks: stopped before anything is created', async () => {
    const tag = randomBytes(3).toString('hex');
    const ext = `tierctl_probe_${tag}`;
    const owner = `tierctl_t_owner_${tag}`;
    const reader = `tierctl_t_reader_${tag}`;
    const { rows } = await adminQuery(`SELECT setting FROM pg_config WHERE name = 'SHAREDIR'`);
    const extDir = join(rows[0]!.setting as string, 'extension');
    const files = [join(extDir, `${ext}.control`), join(extDir, `${ext}--1.0.sql`)];
    await writeFile(files[0]!, `comment = 'tierctl test extension'\ndefault_version = '1.0'\nrelocatable = true\n`);
    await writeFile(files[1]!, `CREATE FUNCTION ${ext}_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';\n`);
    cleanups.push(async () => Promise.all(files.map((f) => unlink(f).catch(() => {}))));
    const dir = await mkdtemp(join(tmpdir(), 'tierctl-t-needs-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Production: the extension, a table owned by an application role and granted to another.
    const name = `tierctl_t_needs_${tag}`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
    await adminQuery(`CREATE ROLE ${owner} NOLOGIN; CREATE ROLE ${reader} NOLOGIN`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).then(() => adminQuery(`DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${reader}`)));
    const client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
    await client.query(`CREATE EXTENSION ${ext}; CREATE TABLE notes (id int PRIMARY KEY, body text); ALTER TABLE notes OWNER TO ${owner}; GRANT SELECT ON notes TO ${reader}`);
    await client.end();
    await mkdir(join(dir, 'backup'));
    const backup = await runCli(['backup', '--database-url', databaseUrl(name), '--dir', join(dir, 'backup')]);
    expect(backup.code, backup.stderr).toBe(0);
    const manifest = join(dir, 'backup', (await readdir(join(dir, 'backup'))).find((f) => f.endsWith('.manifest.json'))!);
    // The sandbox server (here the same server, later) no longer has them.
    await adminQuery(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
    await adminQuery(`DROP ROLE ${owner}; DROP ROLE ${reader}`);
    await Promise.all(files.map((f) => unlink(f)));

    const r = await runCli(['rehearse', '--from-backup', manifest, '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual(['source:ok', 'sandbox:failed']);
    expect(report.sandbox).toBeNull();
    const [extFinding] = findingsOf(report, 'missing-extensions');
    expect(extFinding).toMatchObject({ severity: 'blocker', evidence: { missing: [ext] } });
    expect(extFinding!.wayOut).toMatch(/--sandbox-url/);
    const [roles] = findingsOf(report, 'missing-roles');
    expect(roles, JSON.stringify(roles)).toMatchObject({ severity: 'warning', evidence: { missing: [owner, reader].sort() } });
    expect(report.failure.message).toMatch(/Nothing was created/);
  }, 120_000);
});
