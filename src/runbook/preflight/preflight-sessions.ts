import type pg from 'pg';
import { PRISMA_ADVISORY_LOCK_KEY } from '../../db/migrations/ledger.js';
import { preflightCheck, type PreflightCheck } from './preflight-check.js';

/**
 * Sessions that would make the tier migration's `ALTER TABLE models` wait: ALTER TABLE
 * needs an ACCESS EXCLUSIVE lock, which conflicts with every other lock on the table,
 * even a plain SELECT's in a transaction left open. While it waits, every new query on
 * `models` queues behind it: the API stalls.
 */
interface SessionRow extends Record<string, string | number | boolean | null> {
  pid: number | null;
  application: string | null;
  user: string | null;
  state: string | null;
  mode: string;
  granted: boolean;
  age_s: number | null;
  backend: string | null;
  query: string | null;
}

const trimmedQuery = `left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120)`;

export async function modelsLockCheck(client: pg.ClientBase, schema: string): Promise<PreflightCheck> {
  const title = 'Locks on models';
  const { rows } = await client.query<SessionRow>(
    `SELECT l.pid, a.application_name AS application, a.usename AS "user",
            coalesce(a.state, CASE WHEN l.pid IS NULL THEN 'prepared transaction' END) AS state, l.mode, l.granted,
            round(extract(epoch FROM now() - coalesce(a.xact_start, a.query_start))::numeric, 1)::float AS age_s,
            a.backend_type AS backend, ${trimmedQuery} AS query
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.relation = to_regclass(format('%I.models', $1::text))
        AND l.pid IS DISTINCT FROM pg_backend_pid()
      ORDER BY l.granted DESC, age_s DESC NULLS LAST`,
    [schema],
  );
  if (rows.length === 0) return preflightCheck('models-locks', title, 'ok', 'No other session holds or waits for a lock on models');
  const blocking = rows.filter((r) => r.backend !== 'autovacuum worker');
  const who = (r: SessionRow) => `pid ${r.pid ?? '(prepared)'} ${r.application ? `(${r.application}) ` : ''}${r.granted ? 'holds' : 'waits for'} ${r.mode}`;
  if (blocking.length === 0) {
    return preflightCheck('models-locks', title, 'warn', `Autovacuum is working on models (${rows.map(who).join('; ')}); ALTER TABLE cancels it after deadlock_timeout`, { details: rows });
  }
  return preflightCheck('models-locks', title, 'blocker', `${blocking.length} session(s) would block ALTER TABLE models: ${blocking.map(who).join('; ')}`, {
    details: rows,
    hint: 'Let these transactions finish, stop the backend (guide step 1), or end them: SELECT pg_terminate_backend(pid).',
  });
}

export async function longTransactionCheck(client: pg.ClientBase, thresholdMs: number): Promise<PreflightCheck> {
  const title = 'Long-running transactions';
  const { rows } = await client.query<SessionRow>(
    `SELECT a.pid, a.application_name AS application, a.usename AS "user", a.state,
            round(extract(epoch FROM now() - a.xact_start)::numeric, 1)::float AS age_s, ${trimmedQuery} AS query
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND a.xact_start < now() - make_interval(secs => $1::float / 1000)
      ORDER BY a.xact_start`,
    [thresholdMs],
  );
  if (rows.length === 0) return preflightCheck('long-transactions', title, 'ok', `No transaction open longer than ${thresholdMs / 1000} s`);
  return preflightCheck('long-transactions', title, 'warn', `${rows.length} transaction(s) open longer than ${thresholdMs / 1000} s: the ALTER TABLE waits for any of them that has touched models`, {
    details: rows,
    hint: 'Check what they are doing before applying; idle ones can be ended with pg_terminate_backend(pid).',
  });
}

/** The advisory lock `prisma migrate deploy` and `tierctl migrate apply` take: held means a migration is running now. */
export async function migrationLockCheck(client: pg.ClientBase): Promise<PreflightCheck> {
  const title = 'Migration lock';
  const { rows } = await client.query<{ pid: number; application: string | null }>(
    `SELECT l.pid, a.application_name AS application FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 AND l.objsubid = 1`,
    [PRISMA_ADVISORY_LOCK_KEY],
  );
  if (rows.length === 0) return preflightCheck('migration-lock', title, 'ok', 'No migration is running (advisory lock free)');
  const who = rows.map((r) => `pid ${r.pid}${r.application ? ` (${r.application})` : ''}`).join(', ');
  return preflightCheck('migration-lock', title, 'blocker', `A migration is running now: ${who} holds the migration advisory lock ${PRISMA_ADVISORY_LOCK_KEY}`, {
    hint: 'Wait for it to finish, then run preflight again.',
  });
}
