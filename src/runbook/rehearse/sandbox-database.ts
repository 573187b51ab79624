import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { withClient } from '../../db/pg-connect.js';
import { insertSandboxCatalog } from '../../db/sandbox-catalog.js';
import { quoteIdent } from '../../db/sql.js';
import { loadSandboxModels } from '../../fixtures/load-fixtures.js';
import { plainTarget } from '../../shared/database-target.js';
import { err, ok, usageFailure, type Result } from '../../shared/failure.js';
import { redactUrl } from '../../shared/redact-url.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateApply } from '../migrate/migrate-apply.js';
import { loadMigrationSet } from '../migrate/migration-state.js';
import { MARKER_FORMAT, markerText, SANDBOX_PREFIX, sandboxCandidates, staleVerdict, writeMarker, type SandboxMarker, type SandboxOwner } from './sandbox-marker.js';

export interface SandboxDatabase {
  readonly name: string;
  readonly url: string;
  readonly marker: SandboxMarker;
}

/** The same server, another database; with `schema` (Prisma's `?schema=`) when it is not public. */
export function withDatabaseName(url: string, name: string, schema = 'public'): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  u.searchParams.delete('schema');
  if (schema !== 'public') u.searchParams.set('schema', schema);
  return u.toString();
}

export interface StaleSweep {
  /** Sandboxes of rehearsals on this host that were killed: dropped, with their markers. */
  readonly dropped: readonly SandboxMarker[];
  /** Sandbox-shaped databases left alone, and why (no marker, another host, a live rehearsal). */
  readonly leftAlone: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Drops the sandboxes of rehearsals on this host that were killed (see `staleVerdict`:
 * exact name, marker, host, dead pid); everything else is left alone. The marker is
 * read again right before each DROP, so a database changed meanwhile is not dropped.
 */
export async function dropStaleSandboxes(adminUrl: string, host: string, isAlive: (pid: number) => boolean): Promise<Result<StaleSweep>> {
  return withClient(adminUrl, async (client) => {
    const dropped: SandboxMarker[] = [];
    const leftAlone: { name: string; reason: string }[] = [];
    for (const candidate of await sandboxCandidates(client)) {
      const verdict = staleVerdict(candidate, host, isAlive);
      if (!verdict.drop) {
        if (verdict.reason) leftAlone.push({ name: candidate.name, reason: verdict.reason });
        continue;
      }
      if (await dropIfMarked(client, candidate.name, verdict.marker)) dropped.push(verdict.marker);
    }
    return { dropped, leftAlone };
  });
}

/** DROP DATABASE, only while its comment is still exactly `marker`. Returns whether it was dropped. */
async function dropIfMarked(client: pg.ClientBase, name: string, marker: SandboxMarker): Promise<boolean> {
  const { rows } = await client.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name]);
  if (rows.length === 0) return false;
  if (rows[0]!.comment !== markerText(marker)) return false;
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  return true;
}

/**
 * A new, empty, marked database for this rehearsal. The marker is written right after
 * CREATE DATABASE (the two cannot share a transaction); if writing it fails, the database
 * this call just created is dropped again.
 */
export async function createSandbox(adminUrl: string, owner: SandboxOwner, schema = 'public'): Promise<Result<SandboxDatabase>> {
  const name = `${SANDBOX_PREFIX}${owner.pid}_${randomBytes(3).toString('hex')}`;
  const marker: SandboxMarker = { format: MARKER_FORMAT, database: name, host: owner.host, pid: owner.pid, startedAt: owner.startedAt };
  const created = await withClient(adminUrl, async (c) => {
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
    } catch (e) {
      if ((e as { code?: string }).code === '42501') return err(notAllowed(adminUrl, (e as Error).message));
      throw e;
    }
    try {
      await writeMarker(c, marker);
    } catch (e) {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => {});
      throw e;
    }
    return ok(undefined);
  });
  if (!created.ok) return created;
  if (!created.value.ok) return created.value;
  return ok({ name, url: withDatabaseName(adminUrl, name, schema), marker });
}

const notAllowed = (adminUrl: string, why: string) =>
  usageFailure('sandbox_not_allowed', `The sandbox server's user cannot create the sandbox database on ${redactUrl(adminUrl)}: ${why}`, {
    hint: 'Rehearse as a user with CREATEDB (ALTER ROLE ... CREATEDB) or on another server: --sandbox-url postgresql://user@host/postgres.',
  });

/**
 * The state the guide starts from: a new database at the baseline migration, recorded in
 * `_prisma_migrations` as Prisma would have (applied with a migrations directory that
 * stops before the tier migration), holding the sandbox model catalog.
 */
/** A migrations directory holding the migrations before the tier migration only (the guide's starting point). */
export async function baselineMigrationsDir(workDir: string, migrationsDir?: string): Promise<Result<string>> {
  const set = await loadMigrationSet(migrationsDir);
  if (!set.ok) return set;
  const from = set.value.dir;
  const dir = join(workDir, 'baseline-migrations');
  for (const f of set.value.files.filter((f) => f.name < TIER_MIGRATION)) {
    await mkdir(join(dir, f.name), { recursive: true });
    await copyFile(join(from, f.name, 'migration.sql'), join(dir, f.name, 'migration.sql'));
  }
  await copyFile(join(from, 'migration_lock.toml'), join(dir, 'migration_lock.toml'));
  return ok(dir);
}

export async function prepareBaseline(sandbox: SandboxDatabase, workDir: string, migrationsDir?: string): Promise<Result<{ baseline: string[]; models: string[] }>> {
  const dir = await baselineMigrationsDir(workDir, migrationsDir);
  if (!dir.ok) return dir;
  const applied = await migrateApply({ database: plainTarget(sandbox.url), migrationsDir: dir.value }, { reporter: silentReporter });
  if (!applied.ok) return applied;
  const models = await loadSandboxModels();
  if (!models.ok) return models;
  const inserted = await withClient(sandbox.url, (c) => insertSandboxCatalog(c, 'public', models.value));
  if (!inserted.ok) return inserted;
  return ok({ baseline: applied.value.applied.map((a) => a.name), models: inserted.value });
}

/** Drops this rehearsal's sandbox (still carrying the marker this run wrote). */
export async function dropSandbox(adminUrl: string, sandbox: SandboxDatabase): Promise<Result<boolean>> {
  return withClient(adminUrl, (c) => dropIfMarked(c, sandbox.name, sandbox.marker));
}
