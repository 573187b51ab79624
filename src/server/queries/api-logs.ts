/**
 * Writes api_logs rows: one `COPY ... FROM STDIN` per batch, the rows as COPY text built
 * here. Converting nine JS arrays to PostgreSQL array literals cost ~9 µs per row, 15% of a
 * request; one JSON parameter expanded by json_to_recordset cost PostgreSQL ~10 µs per row
 * (on the same cores as the server) and JSON.stringify ~2-4 µs per row (a Date's toJSON
 * each); COPY costs PostgreSQL ~7 µs per row and the text below well under 1 µs.
 */
import pg from 'pg';
import { qualified } from '../../db/sql.js';

export interface ApiLogRow {
  /** The id the server answered with (`x-request-id`); a UUID. */
  readonly requestId: string;
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

const COLUMNS = 'user_id, method, path, model_id, status_code, error_code, latency_ms, tier_check_ms, created_at';

const copy = (schema: string, withRequestId: boolean) => `COPY ${qualified(schema, 'api_logs')} (${withRequestId ? 'request_id, ' : ''}${COLUMNS}) FROM STDIN`;

const NULL = '\\N';
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A COPY text field: backslash, newline, carriage return and tab escaped; null is `\N`. */
const field = (value: string | null): string => (value === null ? NULL : SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value);
/** What JSON gave before: a number that is not finite is NULL (so a NOT NULL column rejects the row). */
const number = (value: number | null): string => (value !== null && Number.isFinite(value) ? String(value) : NULL);

/** The rows as COPY text (tab-separated, one line each), in COPY's column order. */
export function apiLogsCopyText(rows: readonly ApiLogRow[], withRequestId: boolean): string {
  let text = '';
  let lastMs = Number.NaN;
  let lastIso = '';
  for (const row of rows) {
    const ms = row.createdAt.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = Number.isFinite(ms) ? row.createdAt.toISOString() : NULL;
    }
    // left("method", 10) before: the column is varchar(10).
    text += `${withRequestId ? `${field(row.requestId)}\t` : ''}${field(row.userId)}\t${field(row.method.slice(0, 10))}\t${field(row.path)}\t${field(row.modelId)}\t${number(row.statusCode)}\t${field(row.errorCode)}\t${number(row.latencyMs)}\t${number(row.tierCheckMs)}\t${lastIso}\n`;
  }
  return text;
}

/** A simple-protocol COPY FROM STDIN that sends `data` as soon as PostgreSQL asks for it. */
class CopyIn extends pg.Query {
  constructor(
    text: string,
    private readonly data: Buffer,
    callback: (error: Error | undefined) => void,
  ) {
    super(text, callback);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
}

/**
 * Inserts `rows` in one statement. `withRequestId: false` leaves out the request_id column,
 * for a database that does not have it.
 */
export async function insertApiLogs(db: pg.ClientBase, schema: string, rows: readonly ApiLogRow[], options: { readonly withRequestId?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const withRequestId = options.withRequestId !== false;
  const data = Buffer.from(apiLogsCopyText(rows, withRequestId), 'utf8');
  await new Promise<void>((resolve, reject) => {
    db.query(new CopyIn(copy(schema, withRequestId), data, (e) => (e ? reject(e) : resolve())));
  });
}
