import type pg from 'pg';
import { sessionRedacted, sessionUrl, type DatabaseTarget } from '../shared/database-target.js';
import { err, ok, usageFailure, type Result } from '../shared/failure.js';
import { APPLICATION_NAME, connectClient, connectionFailure } from './pg-connect.js';

/** What the probe saw: whether the URL hands out a session of its own, and why it thinks so. */
export interface SessionProbe {
  readonly pooled: boolean;
  readonly evidence: string;
}

const PROBE_APPLICATION_NAME = 'tierctl pooler probe';
/** A backend query that takes longer than this while the other client holds a transaction: the pool is exhausted. */
const BLOCKED_MS = 3000;

class Blocked extends Error {}

async function pidOf(client: pg.Client, sql = 'SELECT pg_backend_pid() AS pid'): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const blocked = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Blocked()), BLOCKED_MS);
  });
  try {
    const result: pg.QueryResult<{ pid: number }> | pg.QueryResult<{ pid: number }>[] = await Promise.race([client.query<{ pid: number }>(sql), blocked]);
    // `BEGIN; SELECT ...` answers one result per statement: the pid is the last one's.
    return (Array.isArray(result) ? result.at(-1)! : result).rows[0]!.pid;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Two clients, each in turn holding a transaction open while the other runs a query of
 * its own. On a session connection a client's backend never changes and two clients
 * never share one. A transaction pooler (PgBouncer, Supavisor, Neon's and RDS Proxy's
 * pooling) hands a client whichever server connection is free for each transaction, so
 * within a few turns a client's backend changes, two clients share one, or a query waits
 * for the pool (its one connection held by the other client's transaction).
 */
async function observe(a: pg.Client, b: pg.Client): Promise<SessionProbe> {
  const [pidA, pidB] = await Promise.all([pidOf(a), pidOf(b)]);
  const first = { a: pidA, b: pidB };
  if (first.a === first.b) return { pooled: true, evidence: `two clients were served by the same backend (pid ${first.a})` };
  for (let turn = 0; turn < 3; turn++) {
    for (const [holder, other, h, o] of [[b, a, 'b', 'a'], [a, b, 'a', 'b']] as const) {
      try {
        // One round trip: the transaction opens and names its backend.
        const held = await pidOf(holder, 'BEGIN; SELECT pg_backend_pid() AS pid');
        if (held !== first[h]) return { pooled: true, evidence: `one client's backend changed between two transactions (pid ${first[h]}, then ${held})` };
        const seen = await pidOf(other);
        if (seen !== first[o]) return { pooled: true, evidence: `one client's backend changed between two transactions (pid ${first[o]}, then ${seen})` };
      } finally {
        await holder.query('COMMIT').catch(() => {});
      }
    }
  }
  return { pooled: false, evidence: `each client kept its own backend (pids ${first.a} and ${first.b}) across ${2 * 3} transactions` };
}

/** Probes `url` (see observe); an unreachable database is the usual exit-3 failure. */
export async function probeSession(url: string): Promise<Result<SessionProbe>> {
  const r = await probeKeeping(url, false);
  return r.ok ? ok(r.value.probe) : r;
}

/**
 * The probe on two connections opened together. With `keep`, a session connection that
 * passed is handed back (the caller's work runs on it: one connection set-up fewer);
 * otherwise both are closed.
 */
async function probeKeeping(url: string, keep: boolean): Promise<Result<{ probe: SessionProbe; client: pg.Client | null }>> {
  const [a, b] = await Promise.all([connectClient(url, { applicationName: PROBE_APPLICATION_NAME }), connectClient(url, { applicationName: PROBE_APPLICATION_NAME })]);
  if (!a.ok) {
    if (b.ok) await b.value.end().catch(() => {});
    return a;
  }
  if (!b.ok) {
    await a.value.end().catch(() => {});
    return b;
  }
  let kept: pg.Client | null = null;
  try {
    const probe = await observe(a.value, b.value);
    if (keep && !probe.pooled) kept = a.value;
    return ok({ probe, client: kept });
  } catch (e) {
    if (e instanceof Blocked) return ok({ probe: { pooled: true, evidence: `a query waited more than ${BLOCKED_MS} ms while another client held a transaction (a pool of one connection)` }, client: null });
    const f = connectionFailure(url, e);
    if (f) return err(f);
    throw e;
  } finally {
    await Promise.all([a.value, b.value].filter((c) => c !== kept).map((c) => c.end().catch(() => {})));
  }
}

/**
 * Before session work (the migration advisory lock, pg_dump's snapshot, pg_restore's SETs):
 * refuses (exit 2, nothing done, no lock taken) when the session URL goes through a
 * transaction pooler, which would hand the session's state to other clients and leave the
 * lock held by a pooled server connection after tierctl has gone.
 */
export async function requireSession(target: DatabaseTarget, work: string): Promise<Result<void>> {
  const r = await requireSessionClient(target, work, false);
  return r.ok ? ok(undefined) : r;
}

/**
 * requireSession that hands back one of the probe's connections, proven a session of its
 * own and renamed `applicationName`, for the work itself (the caller ends it).
 */
export async function sessionClient(target: DatabaseTarget, work: string, applicationName = APPLICATION_NAME): Promise<Result<pg.Client>> {
  const r = await requireSessionClient(target, work, true);
  if (!r.ok) return r;
  const client = r.value!;
  try {
    await client.query(`SELECT set_config('application_name', $1, false)`, [applicationName]);
    return ok(client);
  } catch (e) {
    await client.end().catch(() => {});
    const f = connectionFailure(sessionUrl(target), e);
    if (f) return err(f);
    throw e;
  }
}

async function requireSessionClient(target: DatabaseTarget, work: string, keep: boolean): Promise<Result<pg.Client | null>> {
  const probe = await probeKeeping(sessionUrl(target), keep);
  if (!probe.ok) return probe;
  if (!probe.value.probe.pooled) return ok(probe.value.client);
  const via = target.directSource ? `${target.directSource} (${sessionRedacted(target)})` : `DATABASE_URL (${target.redacted})`;
  return err(
    usageFailure('pooled_connection', `${via} goes through a transaction pooler: ${probe.value.probe.evidence}. ${work} needs a session of its own; nothing was done and no lock was taken.`, {
      hint: target.directSource
        ? `Point ${target.directSource} at the database itself, not at the pooler (e.g. port 5432 rather than PgBouncer's 6432 or Supabase's 6543, Neon's host without -pooler).`
        : "Set DIRECT_URL (or --direct-url, or datasource.directUrl in prisma.config.ts) to a connection that bypasses the pooler (e.g. port 5432 rather than PgBouncer's 6432 or Supabase's 6543, Neon's host without -pooler); DATABASE_URL may stay on the pooler.",
    }),
  );
}
