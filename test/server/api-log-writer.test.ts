/**
 * The api_logs writer against a real PostgreSQL behind a TCP proxy that takes it away:
 * every recorded row ends up written exactly once or counted as dropped (and named in a
 * drop log line), never both, and `recorded = written + dropped + queued` at every moment.
 * Rows carry their sequence number in their request id, so the table is checked row by row.
 */
import { describe, expect, it } from 'vitest';
import type { ApiLogRow } from '../../src/server/queries/api-logs.js';
import { createPool } from '../../src/db/pg-connect.js';
import { createApiLogWriter, type ApiLogWriterOptions } from '../../src/server/api-log-writer.js';
import { captureLog } from '../helpers/capture-log.js';
import { useTcpFaultProxy, type Outage } from '../helpers/tcp-fault-proxy.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const proxy = useTcpFaultProxy(() => db().url);

const idOf = (seq: number) => `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`;
const seqOf = (id: string) => Number.parseInt(id.slice(-12), 16);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const row = (seq: number, userId: string | null = null): ApiLogRow => ({
  requestId: idOf(seq),
  userId,
  method: 'GET',
  path: '/writer-test',
  modelId: null,
  statusCode: 200,
  errorCode: null,
  latencyMs: 1,
  tierCheckMs: null,
  createdAt: new Date(),
});

/** The request ids in the table, as sequence numbers, in insertion order. */
const tableSeqs = async () => (await db().pool.query<{ request_id: string }>('SELECT request_id FROM api_logs ORDER BY id')).rows.map((r) => seqOf(r.request_id));

async function writerFor(options: Partial<ApiLogWriterOptions> = {}) {
  await db().pool.query('TRUNCATE api_logs');
  proxy().restore();
  const log = captureLog('info');
  const pool = createPool(proxy().route(db().url), { max: 1, connectTimeoutMs: 2_000, applicationName: 'api-log-writer-test' });
  pool.on('error', () => {});
  const writer = createApiLogWriter({ pool, schema: 'public', log: log.logger, flushIntervalMs: 60_000, maxBatch: 5, maxQueued: 8, writeTimeoutMs: 2_000, closeRetryMs: 500, ...options });
  const balanced = () => {
    const c = writer.counts();
    return c.recorded === c.written + c.dropped + c.queued + c.commitUnknown;
  };
  return { writer, log, pool, balanced };
}

/** The drop log lines, each naming a run of consecutive rows. */
const droppedNamed = (log: ReturnType<typeof captureLog>) =>
  log.find('api_logs: ').filter((e) => e.firstRequestId).flatMap((e) => range(seqOf(e.firstRequestId), seqOf(e.lastRequestId) + 1));

describe('api_logs writer: exact accounting', () => {
  it('a batch in flight when the database goes is retried first, in order; overflow drops the oldest waiting rows, counted and named', async () => {
    const { writer, log, pool, balanced } = await writerFor();
    proxy().cut('refuse');
    for (const s of range(0, 5)) writer.record(row(s));
    await expect(writer.flush()).rejects.toThrow(); // rows 0-4 are now the batch in flight
    expect(writer.counts()).toMatchObject({ recorded: 5, written: 0, dropped: 0, queued: 5 });
    for (const s of range(5, 20)) {
      writer.record(row(s));
      expect(balanced()).toBe(true);
    }
    // 8 held at most: the batch in flight (5) and the 3 newest; 5-16 dropped.
    expect(writer.counts()).toMatchObject({ recorded: 20, written: 0, dropped: 12, queued: 8 });
    await expect(writer.flush()).rejects.toThrow();
    proxy().restore();
    await writer.flush();
    expect(writer.counts()).toMatchObject({ recorded: 20, written: 8, dropped: 12, queued: 0 });
    expect(await tableSeqs()).toEqual([0, 1, 2, 3, 4, 17, 18, 19]);
    expect(droppedNamed(log)).toEqual(range(5, 17));
    expect(await writer.close()).toMatchObject({ recorded: 20, written: 8, dropped: 12, abandoned: 0, commitUnknown: 0 });
    await pool.end();
  });

  it.each<[string, string]>([
    ['COMMIT', 'the server committed: the next attempt learns it and does not write the batch again'],
    ['COPY "public"."api_logs"', 'the server rolled back: the next attempt writes the batch'],
  ])('the connection is lost right after %s is sent: %s', async (text) => {
    const { writer, pool, balanced } = await writerFor();
    proxy().cutAfter(text, 'refuse');
    for (const s of range(0, 5)) writer.record(row(s));
    await expect(writer.flush()).rejects.toThrow();
    await proxy().triggered();
    expect(writer.counts()).toMatchObject({ written: 0, queued: 5 });
    proxy().restore();
    await writer.flush();
    expect(writer.counts()).toMatchObject({ recorded: 5, written: 5, dropped: 0, queued: 0 });
    expect(balanced()).toBe(true);
    expect(await tableSeqs()).toEqual([0, 1, 2, 3, 4]);
    await writer.close();
    await pool.end();
  });

  it.each<Outage>(['refuse', 'blackhole'])('steady rows through an outage (%s) longer than maxQueued: each row written once or dropped, never both', async (mode) => {
    const { writer, log, pool, balanced } = await writerFor({ flushIntervalMs: 20, maxBatch: 10, maxQueued: 40, writeTimeoutMs: 300 });
    let seq = 0;
    let unbalanced = 0;
    const steady = setInterval(() => {
      writer.record(row(seq++));
      if (!balanced()) unbalanced += 1;
    }, 1);
    const check = setInterval(() => void (balanced() || (unbalanced += 1)), 3);
    try {
      await waitFor('rows written', async () => writer.counts().written >= 30);
      proxy().cut(mode);
      await waitFor('the queue overflowed', async () => writer.counts().dropped >= 60);
      proxy().restore();
      const afterRestore = seq;
      await waitFor('writes resumed past the outage', async () => writer.counts().written + writer.counts().dropped >= afterRestore + 20);
    } finally {
      clearInterval(steady);
      clearInterval(check);
    }
    const shutdown = await writer.close();
    await pool.end();
    expect(unbalanced).toBe(0);
    expect(shutdown).toMatchObject({ recorded: seq, queued: 0, abandoned: 0, commitUnknown: 0 });
    const table = await tableSeqs();
    expect(table).toEqual([...new Set(table)].sort((a, b) => a - b)); // each at most once, in recording order
    expect(shutdown.written).toBe(table.length);
    const inTable = new Set(table);
    const missing = range(0, seq).filter((s) => !inTable.has(s));
    expect(missing.length).toBe(shutdown.dropped);
    expect(droppedNamed(log)).toEqual(missing);
  });
});

describe('api_logs writer: giving up at shutdown', () => {
  it.each<Outage>(['refuse', 'blackhole'])('a graceful close with the database still unreachable (%s) retries for closeRetryMs, then counts what is left as abandoned', async (mode) => {
    const { writer, log, pool } = await writerFor({ closeRetryMs: 300, writeTimeoutMs: 60_000 });
    proxy().cut(mode);
    for (const s of range(0, 3)) writer.record(row(s));
    expect(await writer.close()).toMatchObject({ recorded: 3, written: 0, dropped: 3, abandoned: 3, commitUnknown: 0 });
    if (mode === 'refuse') expect(log.find('api_logs write failed; will retry')).not.toHaveLength(0);
    expect(log.find('api_logs: 3 rows abandoned at shutdown (not written)')).toHaveLength(1);
    proxy().restore();
    await pool.end();
    expect(await tableSeqs()).toEqual([]);
  });

  it('a second signal during a hanging write: one last bounded attempt, the rows abandoned counted, nothing written afterwards', async () => {
    const { writer, log, pool } = await writerFor({ writeTimeoutMs: 60_000, closeRetryMs: 60_000 });
    writer.record(row(0));
    await writer.flush(); // written, and its connection kept
    proxy().cut('blackhole');
    for (const s of range(1, 8)) writer.record(row(s));
    const closing = writer.close(); // graceful: its write hangs
    const report = await writer.hurry(200);
    expect(report).toMatchObject({ recorded: 8, written: 1, dropped: 7, abandoned: 7, commitUnknown: 0, queued: 0 });
    expect(await closing).toBe(report);
    expect(log.find('api_logs: 7 rows abandoned at shutdown (not written)')).toHaveLength(1);
    proxy().restore(); // the held bytes flow again: the abandoned attempt must not commit
    await pool.end(); // returns once that attempt has let go of its connection
    expect(await tableSeqs()).toEqual([0]);
  });

  it('a second signal with the database back: the last attempt writes everything', async () => {
    const { writer, log, pool } = await writerFor({ closeRetryMs: 60_000 });
    proxy().cut('refuse');
    for (const s of range(0, 12)) writer.record(row(s)); // 0-3 dropped (8 held at most)
    await expect(writer.flush()).rejects.toThrow();
    const closing = writer.close(); // graceful: retrying
    proxy().restore();
    const report = await writer.hurry(1_000);
    expect(report).toMatchObject({ recorded: 12, written: 8, dropped: 4, abandoned: 0 });
    expect(await closing).toBe(report);
    expect(await tableSeqs()).toEqual(range(4, 12));
    expect(log.find('api_logs: all 12 recorded rows accounted for (8 written, 4 dropped)')).toHaveLength(1);
    await pool.end();
  });
});

describe('api_logs writer: the table as it is', () => {
  it('rows the database rejects are dropped and counted; the next batch is written', async () => {
    const { writer, log, pool } = await writerFor();
    for (const s of range(0, 5)) writer.record(row(s, s === 2 ? 'not-a-uuid' : null));
    await writer.flush();
    for (const s of range(5, 10)) writer.record(row(s));
    await writer.flush();
    expect(writer.counts()).toMatchObject({ recorded: 10, written: 5, dropped: 5, queued: 0 });
    expect(log.find('api_logs: rows rejected by the database, dropped')[0]).toMatchObject({ count: 5, code: '22P02' });
    expect(await tableSeqs()).toEqual(range(5, 10));
    await writer.close();
    await pool.end();
  });

  it('writes without request_id on a database that lacks it (migration not applied, or rolled back), and with it again once it is back', async () => {
    const { writer, pool } = await writerFor();
    await db().pool.query('ALTER TABLE api_logs DROP COLUMN request_id');
    try {
      for (const s of range(0, 5)) writer.record(row(s));
      await writer.flush();
      expect((await db().pool.query('SELECT count(*)::int AS n FROM api_logs')).rows[0].n).toBe(5);
    } finally {
      await db().pool.query('ALTER TABLE api_logs ADD COLUMN request_id uuid');
    }
    for (const s of range(5, 10)) writer.record(row(s));
    await writer.flush();
    expect((await db().pool.query('SELECT request_id FROM api_logs WHERE request_id IS NOT NULL ORDER BY id')).rows.map((r) => seqOf(r.request_id))).toEqual(range(5, 10));
    expect(writer.counts()).toMatchObject({ recorded: 10, written: 10, dropped: 0 });
    await writer.close();
    await pool.end();
  });
});
