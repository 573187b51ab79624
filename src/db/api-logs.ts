/** Writes api_logs rows: one multi-row INSERT per batch (arrays unnested server-side). */
import type pg from 'pg';

export interface ApiLogRow {
  readonly userId: string | null;
  readonly method: string;
  readonly path: string;
  readonly modelId: string | null;
  readonly statusCode: number;
  readonly errorCode: string | null;
  readonly latencyMs: number;
  readonly tierCheckMs: number | null;
  readonly createdAt: Date;
}

/** Inserts `rows` in one statement (one round trip, one transaction). */
export async function insertApiLogs(db: pg.Pool | pg.ClientBase, rows: readonly ApiLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO api_logs (user_id, method, path, model_id, status_code, error_code, latency_ms, tier_check_ms, created_at)
     SELECT * FROM unnest($1::uuid[], $2::varchar(10)[], $3::text[], $4::text[], $5::int[], $6::text[], $7::float8[], $8::float8[], $9::timestamptz[])`,
    [
      rows.map((r) => r.userId),
      rows.map((r) => r.method.slice(0, 10)),
      rows.map((r) => r.path),
      rows.map((r) => r.modelId),
      rows.map((r) => r.statusCode),
      rows.map((r) => r.errorCode),
      rows.map((r) => r.latencyMs),
      rows.map((r) => r.tierCheckMs),
      rows.map((r) => r.createdAt),
    ],
  );
}
