import type pg from 'pg';
import { quoteIdent } from './sql.js';

/** `schema.table` of every ordinary table outside PostgreSQL's own schemas, sorted. */
export async function listTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
  );
  return rows.map((r) => r.name);
}

/** Splits `schema.table` (as listTables gives it) into a quoted identifier pair. */
export function qualifiedName(table: string): string {
  const dot = table.indexOf('.');
  return `${quoteIdent(table.slice(0, dot))}.${quoteIdent(table.slice(dot + 1))}`;
}

/** Exact row counts (count(*), not estimates) of every table, in one statement (one snapshot). */
export async function exactRowCounts(client: pg.ClientBase): Promise<Record<string, number>> {
  const tables = await listTables(client);
  if (tables.length === 0) return {};
  const sql = tables.map((t, i) => `SELECT ${i} AS i, count(*)::bigint AS n FROM ${qualifiedName(t)}`).join(' UNION ALL ');
  const { rows } = await client.query<{ i: number; n: string }>(sql);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[tables[r.i]!] = Number(r.n);
  return counts;
}
