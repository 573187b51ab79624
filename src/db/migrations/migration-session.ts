import type pg from 'pg';
import { err, ok, type Result } from '../../shared/failure.js';
import { sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';
import { LEDGER_TABLE } from './ledger.js';
import { connectClient, connectionFailure } from '../pg-connect.js';
import { requireSession } from '../pooler-check.js';
import { DOWN_AUDIT_TABLE } from './down-audit.js';
import { quoteIdent, quoteLiteral } from '../sql.js';

/**
 * A connection for `tierctl migrate`: named `application_name` (so other sessions see
 * who holds the migration lock), `search_path` set to the URL's schema (as Prisma does, so
 * the migrations' unqualified names land there), and — PostgreSQL 14+ — a check every
 * 500 ms that the client is still there, so that if tierctl is killed in the middle of a
 * long statement the server aborts it promptly instead of holding its locks until it ends.
 */
export async function openMigrationSession(url: string, schema: string, command: string): Promise<Result<pg.Client>> {
  const connected = await connectClient(url, { applicationName: `tierctl ${command}` });
  if (!connected.ok) return connected;
  const client = connected.value;
  try {
    // One round trip: SET search_path, and the check interval where the server has it.
    await client.query(
      `SELECT set_config('search_path', $1, false),
              CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('client_connection_check_interval', '500ms', false) END`,
      [quoteIdent(schema)],
    );
    return ok(client);
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
}

/**
 * Runs `fn` on a migration session for `target` (its direct URL when it has one, its
 * schema), and always closes it; losing the connection midway is the same exit-3 failure
 * as not reaching it. A session for the migration's work (the ledger, under the advisory
 * lock, with `search_path` set) is first proved not to go through a transaction pooler
 * (exit 2 otherwise, before any lock); a `plain` one (status, checks, dry runs, an ordinary
 * transaction such as undoing a seed) sets nothing on its connection, so it may go through
 * a pooler: every query it runs names the schema.
 */
export async function withMigrationSession<T>(
  target: DatabaseTarget,
  command: string,
  fn: (client: pg.Client, schema: string) => Promise<Result<T>>,
  options: { readonly plain?: boolean } = {},
): Promise<Result<T>> {
  const { schema } = target;
  const url = sessionUrl(target);
  if (!options.plain) {
    const session = await requireSession(target, `tierctl ${command}`);
    if (!session.ok) return session;
  }
  const session = options.plain ? await connectClient(url, { applicationName: `tierctl ${command}` }) : await openMigrationSession(url, schema, command);
  if (!session.ok) return session;
  try {
    return await fn(session.value, schema);
  } catch (e) {
    const f = connectionFailure(url, e);
    if (f) return err(f);
    throw e;
  } finally {
    await session.value.end().catch(() => {});
  }
}

/** Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws. */
export async function inTransaction<T>(client: pg.ClientBase, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const value = await body();
    await client.query('COMMIT');
    return value;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** The tables of `schema` other than the ledger's and tierctl's: is it "not empty" in Prisma's sense (P3005)? */
export async function applicationTables(client: pg.ClientBase, schema: string): Promise<string[]> {
  return (await client.query<{ tables: string[] }>(`SELECT ${applicationTablesColumn(schema)}`)).rows[0]!.tables;
}

/** The select list `applicationTables` reads (`tables`, by name), for statements that read more in the same round trip. */
export const applicationTablesColumn = (schema: string): string =>
  `ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            AND c.relname <> ALL(${quoteLiteral(`{${LEDGER_TABLE},${DOWN_AUDIT_TABLE}}`)}::text[])
          ORDER BY c.relname) AS tables`;

/** The current database's name (a backup manifest must name the same one). */
export async function currentDatabase(client: pg.ClientBase): Promise<string> {
  return (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
}
