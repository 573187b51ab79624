import type pg from 'pg';

/** Another database session, as an operator needs to see it to decide what to do about it. */
export interface SessionInfo {
  readonly pid: number;
  readonly applicationName: string;
  readonly user: string | null;
  readonly clientAddr: string | null;
  /** pg_stat_activity.state: active, idle in transaction, ... */
  readonly state: string | null;
  /** Seconds since its transaction (or, outside one, its connection) began. */
  readonly ageSeconds: number;
  /** Its current or last query, shortened. */
  readonly query: string;
  /** The lock it holds or waits for, e.g. `AccessShareLock on models`. */
  readonly lock: string;
  readonly granted: boolean;
}

const SESSION_COLUMNS = `a.pid, coalesce(a.application_name, '') AS "applicationName", a.usename AS "user",
  a.client_addr::text AS "clientAddr", a.state,
  round(extract(epoch FROM now() - coalesce(a.xact_start, a.backend_start))::numeric, 1)::float8 AS "ageSeconds",
  left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 200) AS query, l.granted`;

/**
 * The sessions holding Prisma Migrate's advisory lock (key `key`, taken with the bigint
 * form of pg_advisory_lock: classid = high 32 bits, objid = low 32 bits, objsubid = 1) in
 * the current database.
 */
export async function advisoryLockHolders(client: pg.ClientBase, key: number): Promise<SessionInfo[]> {
  const { rows } = await client.query<SessionInfo>(
    `SELECT ${SESSION_COLUMNS}, 'advisory lock ' || $1::text AS lock
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295)
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.pid <> pg_backend_pid()
      ORDER BY a.pid`,
    [key],
  );
  return rows;
}

/**
 * The other sessions holding or waiting for a lock on these relations (tables, or indexes,
 * whose table is meant): who would block a migration's ALTER TABLE, or did. Names are
 * `schema.table` pairs; those that do not exist are ignored.
 */
export async function relationLockSessions(client: pg.ClientBase, relations: readonly { schema: string; table: string }[]): Promise<SessionInfo[]> {
  if (relations.length === 0) return [];
  const { rows } = await client.query<SessionInfo>(
    `WITH named AS (
        SELECT c.oid FROM unnest($1::text[], $2::text[]) AS r(nsp, rel)
          JOIN pg_namespace n ON n.nspname = r.nsp JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.rel
     ), targets AS (
        SELECT coalesce((SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = named.oid), named.oid) AS oid FROM named
     )
     SELECT DISTINCT ON (a.pid, l.mode, l.relation) ${SESSION_COLUMNS}, l.mode || ' on ' || l.relation::regclass::text AS lock
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.relation IN (SELECT oid FROM targets) AND l.pid <> pg_backend_pid()
      ORDER BY a.pid, l.mode, l.relation`,
    [relations.map((r) => r.schema), relations.map((r) => r.table)],
  );
  return rows;
}

/** One line per session, for messages and hints. */
export const describeSession = (s: SessionInfo): string =>
  `pid ${s.pid} (${s.applicationName || 'no application_name'}${s.user ? `, user ${s.user}` : ''}, ${s.state ?? 'unknown state'}, ` +
  `${s.ageSeconds}s, ${s.granted ? 'holds' : 'waits for'} ${s.lock}): ${s.query || '(no query)'}`;
