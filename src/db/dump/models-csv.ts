import type pg from 'pg';
import { qualified } from '../sql.js';

/** The guide's step 5 columns, in its order. */
export const MODELS_CSV_COLUMNS = ['id', 'display_name', 'is_available', 'credits_per_1k_tokens'] as const;

/**
 * One CSV field exactly as PostgreSQL's `COPY ... WITH CSV` writes it: NULL is empty and
 * unquoted, an empty string is `""`, and a value holding the delimiter, a quote or CR/LF
 * is quoted with inner quotes doubled. (COPY also quotes `\.` but only in one-column
 * rows, which this export never has.)
 */
export function copyCsvField(value: string | null): string {
  if (value === null) return '';
  if (value === '' || /[",\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

export const copyCsvLine = (values: readonly (string | null)[]): string => `${values.map(copyCsvField).join(',')}\n`;

/** Values as the server's output functions print them (bool `t`/`f`, as COPY does), not parsed by pg. */
const rawText = { getTypeParser: () => (value: string) => value };

/**
 * The guide's "Document Current State" export, `COPY (SELECT id, display_name,
 * is_available, credits_per_1k_tokens FROM models) TO STDOUT WITH CSV HEADER`, byte for
 * byte, ordered by id so that two exports diff cleanly. Runs in the caller's transaction.
 */
export async function modelsCsv(client: pg.ClientBase, schema: string): Promise<{ csv: string; rows: number }> {
  const { rows } = await client.query<string[]>({
    text: `SELECT ${MODELS_CSV_COLUMNS.join(', ')} FROM ${qualified(schema, 'models')} ORDER BY id`,
    rowMode: 'array',
    types: rawText as unknown as pg.CustomTypesConfig,
  });
  return { csv: copyCsvLine(MODELS_CSV_COLUMNS) + rows.map(copyCsvLine).join(''), rows: rows.length };
}
