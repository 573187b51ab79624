import type pg from 'pg';
import { quoteIdent } from '../sql.js';

/**
 * Prisma Migrate's ledger, `_prisma_migrations`, read exactly as Prisma writes it
 * (see ../shared/prisma-ledger.md). Writing it is the migration runner's job.
 */
export const LEDGER_TABLE = '_prisma_migrations';

/** The session-level advisory lock `prisma migrate deploy` takes: sharing it means we never run at once. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export const ledgerDdl = (schema: string) => `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}."${LEDGER_TABLE}" (
    "id"                  VARCHAR(36)  PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64)  NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER      NOT NULL DEFAULT 0
)`;

export interface LedgerRow {
  readonly id: string;
  readonly checksum: string;
  readonly finishedAt: Date | null;
  readonly migrationName: string;
  readonly logs: string | null;
  readonly rolledBackAt: Date | null;
  readonly startedAt: Date;
  readonly appliedStepsCount: number;
}

/** `"schema"."_prisma_migrations"`, as `to_regclass` takes it. */
export const ledgerTable = (schema: string): string => `${quoteIdent(schema)}."${LEDGER_TABLE}"`;

/** The statement reading the ledger's rows in the order Prisma reads them (started_at). */
export const ledgerRowsSql = (schema: string): string =>
  `SELECT id, checksum, finished_at AS "finishedAt", migration_name AS "migrationName", logs,
          rolled_back_at AS "rolledBackAt", started_at AS "startedAt", applied_steps_count AS "appliedStepsCount"
     FROM ${ledgerTable(schema)} ORDER BY started_at, migration_name`;

/** The ledger's rows in the order Prisma reads them (started_at), or null when the table does not exist. */
export async function readLedger(client: pg.ClientBase, schema: string): Promise<LedgerRow[] | null> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [ledgerTable(schema)]);
  if (!exists.rows[0]?.found) return null;
  return (await client.query<LedgerRow>(ledgerRowsSql(schema))).rows;
}

/** A row Prisma counts as applied: finished and not rolled back. */
export const isApplied = (row: LedgerRow): boolean => row.finishedAt !== null && row.rolledBackAt === null;
/** A row Prisma counts as a failed migration blocking deploy (P3009). */
export const isFailed = (row: LedgerRow): boolean => row.finishedAt === null && row.rolledBackAt === null;
