/**
 * One attempt at writing one batch of api_logs rows, in a transaction whose outcome can be
 * learned afterwards. A connection that breaks after COMMIT was sent leaves the outcome
 * unknown: the batch keeps the transaction's id (`commitXid`) and the next attempt asks
 * PostgreSQL (`pg_xact_status`) before writing anything, so a batch is never written twice
 * and never taken for written when it was not. `idle_in_transaction_session_timeout` makes
 * a transaction whose COMMIT never arrives abort on its own, so the answer comes.
 */
import type pg from 'pg';
import { insertApiLogs, type ApiLogRow } from './queries/api-logs.js';
import { qualified, quoteLiteral } from '../db/sql.js';

export interface InFlightBatch {
  readonly rows: readonly ApiLogRow[];
  /** Set from the moment COMMIT is sent until its answer arrives: the transaction's id (xid8). */
  commitXid: string | null;
}

export interface BatchAttemptOptions {
  /** The schema of api_logs (`?schema=`). */
  readonly schema: string;
  /** The whole attempt (connect, status, insert, commit) or the connection is dropped. */
  readonly timeoutMs: number;
  /** True once the writer has given up: the attempt must not COMMIT any more. */
  readonly stopped: () => boolean;
}

/** A server-side limit for a transaction left open by a broken connection. */
const IDLE_IN_TRANSACTION = '5s';

const begin = (schema: string) => `BEGIN; SET LOCAL idle_in_transaction_session_timeout = '${IDLE_IN_TRANSACTION}';
  SELECT pg_current_xact_id()::text AS xid,
         EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(${quoteLiteral(qualified(schema, 'api_logs'))}) AND attname = 'request_id' AND NOT attisdropped) AS with_request_id`;

/** SQLSTATE classes 22 (data exception) and 23 (integrity): these rows can never be written. */
export const isRejectedRows = (e: unknown): boolean => /^2[23]/.test((e as { code?: string }).code ?? '');

/** Whether the transaction `xid` committed; null when PostgreSQL cannot tell yet (still open). */
async function committed(client: pg.ClientBase, xid: string): Promise<boolean | null> {
  try {
    const { rows } = await client.query<{ status: string | null }>('SELECT pg_xact_status($1::xid8) AS status', [xid]);
    const status = rows[0]?.status ?? null;
    if (status === 'in progress') return null;
    return status === 'committed';
  } catch (e) {
    // "transaction ID ... is in the future": another server (a failover) that never had it.
    if ((e as { code?: string }).code === '22023') return false;
    throw e;
  }
}

/** Resolves when the batch is in the table (now or by an earlier attempt); rejects otherwise. */
export async function writeBatch(pool: pg.Pool, batch: InFlightBatch, options: BatchAttemptOptions): Promise<void> {
  let client: pg.PoolClient | undefined;
  let over = false;
  const ignore = () => {};
  const attempt = async () => {
    const c = await pool.connect();
    c.on('error', ignore);
    if (over) return c.release(true);
    client = c;
    const goOn = () => {
      if (over || options.stopped()) throw new Error('api_logs write stopped');
    };
    if (batch.commitXid !== null) {
      const done = await committed(c, batch.commitXid);
      if (done === null) throw new Error(`the COMMIT of an earlier attempt (transaction ${batch.commitXid}) is still in progress`);
      if (done) return;
      if (!over) batch.commitXid = null;
    }
    goOn();
    const results = (await c.query(begin(options.schema))) as unknown as pg.QueryResult<{ xid: string; with_request_id: boolean }>[];
    const { xid, with_request_id: withRequestId } = results[2]!.rows[0]!;
    goOn();
    await insertApiLogs(c, options.schema, batch.rows, { withRequestId });
    goOn();
    batch.commitXid = xid;
    await c.query('COMMIT');
    if (!over) batch.commitXid = null;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      over = true;
      reject(new Error(`api_logs write timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  try {
    await Promise.race([attempt(), timeout]);
    over = true;
    client?.off('error', ignore);
    client?.release();
  } catch (e) {
    over = true;
    // Never reuse a connection an attempt failed on: it may be mid-transaction or dead.
    client?.release(true);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
