import type pg from 'pg';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { PRISMA_ADVISORY_LOCK_KEY } from './ledger.js';
import { advisoryLockHolders, describeSession, type SessionInfo } from './session-info.js';

export interface AdvisoryLockOptions {
  /** Give up after this long (Prisma gives up after 10 s with P1002). */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
  /** Told once, when the lock is busy, who holds it. */
  readonly onWait?: (holders: readonly SessionInfo[]) => void;
  /** How often to try again while waiting (default 100 ms). */
  readonly pollMs?: number;
}

export interface AdvisoryLockHeld {
  /** The backend that holds it. */
  readonly pid: number;
  /** How long it took to get the lock. */
  readonly waitedMs: number;
  /** Who held it when we first found it busy (empty when it was free). */
  readonly waitedFor: readonly SessionInfo[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes Prisma Migrate's session-level advisory lock (`pg_advisory_lock(72707369)`), so
 * that tierctl runs and `prisma migrate deploy` never overlap. Waits at most `waitMs`,
 * trying again every `pollMs`; when it gives up, the failure names the session holding it.
 * The lock goes away with the session, so a killed run cannot leave it behind.
 */
export async function acquireMigrationLock(client: pg.ClientBase, options: AdvisoryLockOptions): Promise<Result<AdvisoryLockHeld>> {
  const start = Date.now();
  let waitedFor: SessionInfo[] = [];
  for (let attempt = 0; ; attempt++) {
    const { rows } = await client.query<{ locked: boolean; pid: number }>('SELECT pg_try_advisory_lock($1) AS locked, pg_backend_pid() AS pid', [PRISMA_ADVISORY_LOCK_KEY]);
    if (rows[0]?.locked) return ok({ pid: rows[0].pid, waitedMs: Date.now() - start, waitedFor });
    if (attempt === 0) {
      waitedFor = await advisoryLockHolders(client, PRISMA_ADVISORY_LOCK_KEY);
      options.onWait?.(waitedFor);
    }
    if (options.signal?.aborted) return err(failure('interrupted', 'Interrupted while waiting for the migration lock', ExitCode.interrupted));
    if (Date.now() - start >= options.waitMs) {
      const holders = await advisoryLockHolders(client, PRISMA_ADVISORY_LOCK_KEY);
      return err(
        failure(
          'migration_lock_busy',
          `Gave up after ${options.waitMs} ms waiting for the migration advisory lock (${PRISMA_ADVISORY_LOCK_KEY}), held by:\n  ${(holders.length > 0 ? holders : waitedFor).map(describeSession).join('\n  ') || '(a session that has since gone)'}`,
          ExitCode.failed,
          {
            hint: 'Another tierctl migrate or `prisma migrate deploy` is running against this database. Let it finish and run again, or wait longer with --wait.',
            problems: holders.map(describeSession),
          },
        ),
      );
    }
    await sleep(Math.min(options.pollMs ?? 100, Math.max(1, options.waitMs - (Date.now() - start))));
  }
}

/**
 * Releases the lock taken by acquireMigrationLock (closing the session would too). Should
 * the connection have moved to another backend since (a pooler the probe did not see),
 * the backend that took the lock is ended, so that the lock never outlives the run.
 */
export async function releaseMigrationLock(client: pg.ClientBase, held: Pick<AdvisoryLockHeld, 'pid'>): Promise<void> {
  const { rows } = await client.query<{ released: boolean }>('SELECT pg_advisory_unlock($1) AS released', [PRISMA_ADVISORY_LOCK_KEY]);
  if (rows[0]?.released) return;
  await client.query(
    `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = 0 AND l.objid::bigint = $1 AND l.pid = $2`,
    [PRISMA_ADVISORY_LOCK_KEY, held.pid],
  );
}

/** Runs `fn` holding the migration lock (see acquireMigrationLock), and always releases it. */
export async function withMigrationLock<T>(client: pg.ClientBase, options: AdvisoryLockOptions, fn: (held: AdvisoryLockHeld) => Promise<Result<T>>): Promise<Result<T>> {
  const lock = await acquireMigrationLock(client, options);
  if (!lock.ok) return lock;
  try {
    return await fn(lock.value);
  } finally {
    await releaseMigrationLock(client, lock.value).catch(() => {});
  }
}
