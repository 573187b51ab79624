import type pg from 'pg';
import { sessionRedacted, sessionUrl, type DatabaseTarget } from '../shared/database-target.js';
import { err, ok, usageFailure, type Result } from '../shared/failure.js';
import { connectClient, connectionFailure } from './pg-connect.js';

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
    const { rows } = await Promise.race([client.query<{ pid: number }>(sql), blocked]);
    return rows[0]!.pid;
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
  const first = { a: await pidOf(a), b: await pidOf(b) };
  if (first.a === first.b) return { pooled: true, evidence: `two clients were served by the same backend (pid ${first.a})` };
  for (let turn = 0; turn < 3; turn++) {
    for (const [holder, other, h, o] of [[b, a, 'b', 'a'], [a, b, 'a', 'b']] as const) {
      await holder.query('BEGIN');
      try {
        const held = await pidOf(holder);
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
  const a = await connectClient(url, { applicationName: PROBE_APPLICATION_NAME });
  if (!a.ok) return a;
  const b = await connectClient(url, { applicationName: PROBE_APPLICATION_NAME });
  if (!b.ok) {
    await a.value.end().catch(() => {});
    return b;
  }
  try {
    return ok(await observe(a.value, b.value));
  } catch (e) {
    if (e instanceof Blocked) return ok({ pooled: true, evidence: `a query waited more than ${BLOCKED_MS} ms while another client held a transaction (a pool of one connection)` });
    const f = connectionFailure(url, e);
    if (f) return err(f);
    throw e;
  } finally {
    await Promise.all([a.value.end().catch(() => {}), b.value.end().catch(() => {})]);
  }
}

/**
 * Before session work (the migration advisory lock, pg_dump's snapshot, pg_restore's SETs):
 * refuses (exit 2, nothing done, no lock taken) when the session URL goes through a
 * transaction pooler, which would hand the session's state to other clients and leave the
 * lock held by a pooled server connection after tierctl has gone.
 */
export async function requireSession(target: DatabaseTarget, work: string): Promise<Result<void>> {
  const probe = await probeSession(sessionUrl(target));
  if (!probe.ok) return probe;
  if (!probe.value.pooled) return ok(undefined);
  const via = target.directSource ? `${target.directSource} (${sessionRedacted(target)})` : `DATABASE_URL (${target.redacted})`;
  return err(
    usageFailure('pooled_connection', `${via} goes through a transaction pooler: ${probe.value.evidence}. ${work} needs a session of its own; nothing was done and no lock was taken.`, {
      hint: target.directSource
        ? `Point ${target.directSource} at the database itself, not at the pooler (e.g. port 5432 rather than PgBouncer's 6432 or Supabase's 6543, Neon's host without -pooler).`
        : "Set DIRECT_URL (or --direct-url, or datasource.directUrl in prisma.config.ts) to a connection that bypasses the pooler (e.g. port 5432 rather than PgBouncer's 6432 or Supabase's 6543, Neon's host without -pooler); DATABASE_URL may stay on the pooler.",
    }),
  );
}
