/**
 * Throwaway copies of prisma/migrations for tests that need a variant: a migration.sql
 * edited after it was applied, an extra (failing, or slow) migration, a missing down.sql.
 * Every copy keeps all the project's migrations, so the tests hold for whatever
 * migrations come after the baseline.
 */
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrations/migration-files.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A copy of the project's migrations directory, removed after the test file. */
export async function copyMigrations(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tierctl-migrations-'));
  made.push(root);
  const dir = join(root, 'migrations');
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

export async function editFile(dir: string, migration: string, file: 'migration.sql' | 'down.sql', edit: (text: string) => string): Promise<void> {
  const path = join(dir, migration, file);
  await writeFile(path, edit(await readFile(path, 'utf8')));
}

export async function removeFile(dir: string, migration: string, file: 'down.sql'): Promise<void> {
  await rm(join(dir, migration, file));
}

/** Adds a migration folder (sorted last when named after the existing ones). */
export async function addMigration(dir: string, name: string, sql: string, downSql?: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, 'migration.sql'), sql);
  if (downSql !== undefined) await writeFile(join(dir, name, 'down.sql'), downSql);
}

/**
 * A copy in which the tier migration pauses `seconds` right after its ALTER TABLE, and its
 * down.sql right after dropping the indexes: both while holding ACCESS EXCLUSIVE on models,
 * with the migration half done inside its transaction — the instant a kill must not expose.
 */
export async function slowTierMigrations(seconds: number): Promise<string> {
  const dir = await copyMigrations();
  const tier = '20251108000000_add_model_tier_access_control';
  const pauseBefore = (marker: string) => (sql: string) => {
    if (!sql.includes(marker)) throw new Error(`${tier}: no "${marker}" to pause before`);
    return sql.replace(marker, `SELECT pg_sleep(${seconds});\n\n${marker}`);
  };
  await editFile(dir, tier, 'migration.sql', pauseBefore('-- CreateIndex'));
  await editFile(dir, tier, 'down.sql', pauseBefore('-- Drop columns'));
  return dir;
}
