import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS_DIR, TIER_MIGRATION } from '../../db/migration-files.js';
import { withClient } from '../../db/pg-connect.js';
import { insertSandboxCatalog } from '../../db/sandbox-catalog.js';
import { quoteIdent } from '../../db/sql.js';
import { loadSandboxModels } from '../../fixtures/load-fixtures.js';
import { plainTarget } from '../../shared/database-target.js';
import { ok, type Result } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateApply } from '../migrate-apply.js';
import { loadMigrationSet } from '../migration-state.js';

export const SANDBOX_PREFIX = 'tierctl_rehearse_';

export interface SandboxDatabase {
  readonly name: string;
  readonly url: string;
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops sandboxes left by rehearsals that were killed (their pid, in the name, is gone). */
export async function dropStaleSandboxes(adminUrl: string, isAlive: (pid: number) => boolean): Promise<Result<string[]>> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${SANDBOX_PREFIX}%`]);
    const stale = rows.map((r) => r.datname).filter((n) => !isAlive(Number(n.slice(SANDBOX_PREFIX.length).split('_')[0])));
    for (const name of stale) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    return stale;
  });
}

/**
 * The state the guide starts from: a new database at the baseline migration, recorded in
 * `_prisma_migrations` as Prisma would have (applied with a migrations directory that
 * stops before the tier migration), holding the sandbox model catalog.
 */
export async function createSandbox(adminUrl: string, pid: number): Promise<Result<SandboxDatabase>> {
  const name = `${SANDBOX_PREFIX}${pid}_${randomBytes(3).toString('hex')}`;
  const created = await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  if (!created.ok) return created;
  return ok({ name, url: withDatabaseName(adminUrl, name) });
}

export async function prepareBaseline(sandbox: SandboxDatabase, workDir: string): Promise<Result<{ baseline: string[]; models: string[] }>> {
  const set = await loadMigrationSet();
  if (!set.ok) return set;
  const dir = join(workDir, 'baseline-migrations');
  const baseline = set.value.files.filter((f) => f.name < TIER_MIGRATION);
  for (const f of baseline) {
    await mkdir(join(dir, f.name), { recursive: true });
    await copyFile(join(MIGRATIONS_DIR, f.name, 'migration.sql'), join(dir, f.name, 'migration.sql'));
  }
  await copyFile(join(MIGRATIONS_DIR, 'migration_lock.toml'), join(dir, 'migration_lock.toml'));
  const applied = await migrateApply({ database: plainTarget(sandbox.url), migrationsDir: dir }, { reporter: silentReporter });
  if (!applied.ok) return applied;
  const models = await loadSandboxModels();
  if (!models.ok) return models;
  const inserted = await withClient(sandbox.url, (c) => insertSandboxCatalog(c, 'public', models.value));
  if (!inserted.ok) return inserted;
  return ok({ baseline: baseline.map((f) => f.name), models: inserted.value });
}

export async function dropSandbox(adminUrl: string, sandbox: SandboxDatabase): Promise<Result<unknown>> {
  return withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(sandbox.name)} WITH (FORCE)`));
}
