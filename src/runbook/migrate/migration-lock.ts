import type pg from 'pg';
import { withMigrationLock, type AdvisoryLockHeld } from '../../db/migrations/advisory-lock.js';
import { describeSession, type SessionInfo } from '../../db/migrations/session-info.js';
import type { Result } from '../../shared/failure.js';
import type { Reporter, StepHandle } from '../../shared/reporter.js';

/**
 * Runs `fn` under Prisma Migrate's advisory lock, telling the operator while it waits who
 * holds it; gives up after `waitMs` (default 10 s, Prisma's) naming the holder.
 */
export async function underMigrationLock<T>(
  client: pg.ClientBase,
  options: { readonly waitMs?: number },
  deps: { readonly reporter: Reporter; readonly signal?: AbortSignal },
  fn: (held: AdvisoryLockHeld) => Promise<Result<T>>,
): Promise<Result<T>> {
  const step = deps.reporter.step('Taking the migration advisory lock (pg_advisory_lock 72707369)');
  let held = false;
  const result = await withMigrationLock(
    client,
    { waitMs: options.waitMs ?? 10_000, signal: deps.signal, onWait: (h) => step.update(`waiting for ${h.map(describeSession).join('; ') || 'another session'}`) },
    async (lock) => {
      held = true;
      step.succeed(lock.waitedMs > 50 ? `after ${lock.waitedMs} ms` : undefined);
      return fn(lock);
    },
  );
  if (!held && !result.ok) step.fail(result.failure.code);
  return result;
}

/** Progress for a transaction retried after a lock timeout: who blocked it, and when it tries again. */
export const reportRetry = (step: StepHandle) => (attempt: number, blockers: readonly SessionInfo[], delayMs: number) =>
  step.update(`lock timeout (attempt ${attempt}), blocked by ${blockers.map((b) => `pid ${b.pid} ${b.applicationName}`).join(', ') || 'another session'}; retrying in ${delayMs} ms`);
