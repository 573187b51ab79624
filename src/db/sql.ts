/** Quotes a PostgreSQL identifier (database, table, column name). */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL byte');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * `"schema"."name"`: every query names the schema `?schema=` chose, never relying on
 * `search_path` (a pooled connection may carry another session's, and a schema named like
 * the role would win over the one meant).
 */
export const qualified = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** Quotes a string literal, for the few statements that cannot take parameters. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('literal contains a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}
