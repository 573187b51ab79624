import type pg from 'pg';
import { usageFailure, type Failure } from '../shared/failure.js';

/** The tables the API's baseline creates: a database (or `?schema=`) without them is not the API's. */
export const API_TABLES = ['users', 'subscriptions', 'models', 'api_logs'] as const;

/** Which of `tables` do not exist in `schema` (a schema that does not exist has none of them). */
export async function missingApiTables(client: pg.ClientBase, schema: string, tables: readonly string[] = API_TABLES): Promise<string[]> {
  const { rows } = await client.query<{ t: string }>(`SELECT t FROM unnest($2::text[]) t WHERE to_regclass(format('%I.%I', $1::text, t)) IS NULL`, [schema, tables]);
  return rows.map((r) => r.t);
}

/** The configuration error (exit 2) for a database without the API's tables, naming them and the database looked at. */
export const missingApiTablesFailure = (database: string, schema: string, missing: readonly string[]): Failure =>
  usageFailure('api_schema_missing', `${database} has no ${missing.map((t) => `${schema}.${t}`).join(', ')}: not the API's database (or schema), or its migrations are not applied`, {
    hint: 'Check --database-url / DATABASE_URL (and its ?schema=); tierctl migrate status shows what is applied.',
  });
