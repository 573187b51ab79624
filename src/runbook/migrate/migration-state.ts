import { statSync } from 'node:fs';
import type pg from 'pg';
import { applicationTablesColumn } from '../../db/migrations/migration-session.js';
import { ledgerRowsSql, ledgerTable, type LedgerRow } from '../../db/migrations/ledger.js';
import { checkMigrationLock, loadMigrations, MIGRATIONS_DIR, TIER_MIGRATION, type MigrationFile } from '../../db/migrations/migration-files.js';
import { migrationStatus, type MigrationStatus } from '../../db/migrations/migration-status.js';
import { downAuditTable, rolledBackSql } from '../../db/migrations/down-audit.js';
import { statementLocks } from '../../db/migrations/statement-locks.js';
import { tierSchemaColumns, tierSchemaOf, type TierSchemaRow, type TierSchemaState } from '../../db/tier-columns.js';
import { quoteLiteral } from '../../db/sql.js';
import { err, ok, TierctlError, usageFailure, type Result } from '../../shared/failure.js';

/** The migrations directory, read and checked: migration_lock.toml (P3019), one migration.sql per folder. */
export interface MigrationSet {
  readonly dir: string;
  readonly files: readonly MigrationFile[];
  /** Whether the tier migration is among them (the tier-specific checks apply only then). */
  readonly hasTierMigration: boolean;
}

const statOrNull = (path: string) => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

export async function loadMigrationSet(dir: string = MIGRATIONS_DIR): Promise<Result<MigrationSet>> {
  const found = statOrNull(dir);
  if (!found?.isDirectory()) return err(usageFailure('migrations_dir_missing', `Migrations directory ${dir} does not exist`));
  try {
    await checkMigrationLock(dir);
    const files = await loadMigrations(dir);
    if (files.length === 0) return err(usageFailure('no_migrations', `${dir} holds no migration folders`));
    return ok({ dir, files, hasTierMigration: files.some((f) => f.name === TIER_MIGRATION) });
  } catch (e) {
    if (e instanceof TierctlError) return err(e.failure);
    throw e;
  }
}

/**
 * Statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY,
 * VACUUM, explicit BEGIN/COMMIT): tierctl runs each migration (and each rollback) in one
 * transaction, so such a script is refused before anything runs.
 */
export function nonTransactionalStatements(scripts: readonly { name: string; sql: string }[]): string[] {
  return scripts.flatMap(({ name, sql }) =>
    statementLocks(sql)
      .filter((s) => !s.inTransaction)
      .map((s) => `${name}: ${s.sql.split('\n')[0]!.slice(0, 80)} (${s.kind}: ${s.note ?? 'not allowed in a transaction'})`),
  );
}

export const withoutTransactionControl = (scripts: readonly { name: string; sql: string }[]): Result<void> => {
  const bad = nonTransactionalStatements(scripts);
  return bad.length === 0
    ? ok(undefined)
    : err(usageFailure('statement_not_transactional', `These statements cannot run inside the one transaction tierctl gives each migration:\n  ${bad.join('\n  ')}`, { problems: bad }));
};

/** What the database says, read in one go. */
export interface MigrationState {
  readonly schema: string;
  readonly ledger: readonly LedgerRow[] | null;
  readonly status: MigrationStatus;
  readonly tier: TierSchemaState;
  /** Application tables in the schema (the ledger's and tierctl's own left out). */
  readonly tables: readonly string[];
}

/**
 * Reads the ledger, tierctl's rollback record, the tier schema and the tables in one
 * REPEATABLE READ snapshot, so that a run applying migrations meanwhile cannot make the
 * picture inconsistent (e.g. no ledger yet, but the tables its first migration created).
 * Two round trips (each a few statements in one simple query): BEGIN and what exists in the
 * catalog, then the rows of the ledger and the rollback record where they exist, and COMMIT.
 */
export async function readMigrationState(client: pg.ClientBase, schema: string, files: readonly MigrationFile[]): Promise<MigrationState> {
  let ended = false;
  try {
    const [, catalog] = results(
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SELECT to_regclass(${quoteLiteral(ledgerTable(schema))}) IS NOT NULL AS ledger,
                to_regclass(${quoteLiteral(downAuditTable(schema))}) IS NOT NULL AS rollbacks,
                ${tierSchemaColumns(schema)}, ${applicationTablesColumn(schema)}`,
      ),
    );
    const found = catalog!.rows[0] as TierSchemaRow & { ledger: boolean; rollbacks: boolean; tables: string[] };
    const rows = results(await client.query([...(found.ledger ? [ledgerRowsSql(schema)] : []), ...(found.rollbacks ? [rolledBackSql(schema)] : []), 'COMMIT'].join(';\n')));
    ended = true;
    const ledger = found.ledger ? (rows.shift()!.rows as LedgerRow[]) : null;
    const rolledBack = new Set(found.rollbacks ? rows.shift()!.rows.map((r: { name: string }) => r.name) : []);
    return { schema, ledger, status: migrationStatus(files, ledger, rolledBack), tier: tierSchemaOf(found), tables: found.tables };
  } finally {
    if (!ended) await client.query('COMMIT');
  }
}

/** The results of a simple query, one per statement (pg gives a lone statement's result as is). */
const results = (r: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] => (Array.isArray(r) ? r : [r]);

/** Names of the migrations in a state, in order. */
export const namesIn = (state: MigrationState, ...states: string[]): string[] =>
  state.status.entries.filter((e) => states.includes(e.state)).map((e) => e.name);
