import pg from 'pg';
import { listTables, qualifiedName } from '../../src/db/table-counts.js';

/** Per table: row count and md5 of every row's text in a stable order, to compare two databases' data. */
export async function tableChecksums(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const table of await listTables(client)) {
      const { rows } = await client.query<{ n: string; md5: string }>(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS md5 FROM ${qualifiedName(table)} t`,
      );
      out[table] = { rows: Number(rows[0]!.n), md5: rows[0]!.md5 };
    }
    return out;
  } finally {
    await client.end();
  }
}
