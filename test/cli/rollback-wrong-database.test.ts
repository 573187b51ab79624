import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** The tables of every schema but the system ones: what "changed nothing" compares. */
const tablesOf = async (db: TestDatabase) =>
  (await db.pool.query<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)).rows.map((r) => r.t);

let empty: TestDatabase;
let baseline: TestDatabase;
let dir: string;
beforeAll(async () => {
  [empty, baseline, dir] = await Promise.all([createTestDatabase('none'), createTestDatabase('baseline'), mkdtemp(join(tmpdir(), 'tierctl-rollback-wrong-'))]);
  await writeLedgerUpTo(baseline, (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name);
});
afterAll(async () => {
  await Promise.all([empty?.drop(), baseline?.drop(), rm(dir, { recursive: true, force: true })]);
});

/** The guide's rollback with hooks that leave a file behind: a run that changes nothing runs neither. */
const rollback = (url: string, marker: string) =>
  runCli(['rollback', '--yes', '--accept-loss', '--stop-cmd', `touch ${join(dir, `${marker}.stopped`)}`, '--start-cmd', `touch ${join(dir, `${marker}.started`)}`], { env: { DATABASE_URL: url } });

describe.concurrent('tierctl rollback on a database that is not (or not yet) the tier-migrated API database', { timeout: 60_000 }, () => {
  for (const [label, marker, url] of [
    ['an empty database', 'empty', () => empty.url],
    ['?schema= naming a schema that does not exist', 'nosuch', () => `${empty.url}?schema=nosuch`],
  ] as const) {
    it(`${label}: a configuration error (exit 2) naming the missing tables and the database, before any step`, async () => {
      const before = await tablesOf(empty);
      const r = await rollback(url(), marker);
      expect(r.code, r.stderr).toBe(2);
      const schema = marker === 'empty' ? 'public' : 'nosuch';
      expect(r.stderr).toContain(`${schema}.models`);
      expect(r.stderr).toContain(empty.name);
      expect(r.stdout).not.toContain('Rolled back');
      expect(r.stdout + r.stderr).not.toMatch(/tier columns and indexes gone: pass|Internal error|^\s+at /m);
      expect(existsSync(join(dir, `${marker}.stopped`))).toBe(false);
      expect(await tablesOf(empty)).toEqual(before);
    });
  }

  it('the API database without the tier migration: nothing to roll back (exit 0, as migrate rollback), no hook run, nothing changed', async () => {
    const before = await tablesOf(baseline);
    const r = await rollback(baseline.url, 'baseline');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to roll back');
    expect(r.stdout).not.toMatch(/^Rolled back/m);
    expect(existsSync(join(dir, 'baseline.stopped'))).toBe(false);
    expect(existsSync(join(dir, 'baseline.started'))).toBe(false);
    expect(await tablesOf(baseline)).toEqual(before);
  });
});
