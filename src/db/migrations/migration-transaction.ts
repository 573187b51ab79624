import type pg from 'pg';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { describeSession, relationLockSessions, type SessionInfo } from './session-info.js';

export interface MigrationTransactionOptions {
  /** `SET LOCAL lock_timeout`: how long one statement may wait for a table lock. */
  readonly lockTimeoutMs: number;
  /** Further attempts after a lock timeout (or a deadlock), with growing back-off. */
  readonly retries: number;
  /** First back-off (doubles each retry, plus jitter). Default 250 ms. */
  readonly backoffMs?: number;
  readonly signal?: AbortSignal;
  /** The relations the transaction locks, to name who blocked it. */
  readonly relations: readonly { schema: string; table: string }[];
  /** What the transaction does, for messages: "apply 20251108000000_add_model_tier_access_control". */
  readonly what: string;
  readonly onRetry?: (attempt: number, blockers: readonly SessionInfo[], delayMs: number) => void;
}

export interface TransactionOutcome<T> {
  readonly value: T;
  readonly attempts: number;
  /** BEGIN to COMMIT of the attempt that committed: the longest any lock it took was held. */
  readonly heldMs: number;
}

/** lock_not_available (lock_timeout) and deadlock_detected: nothing was changed, trying again may work. */
const RETRYABLE = new Set(['55P03', '40P01']);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Runs `body` in ONE explicit transaction that starts with `SET LOCAL lock_timeout`, so
 * that whatever happens — an error, a lock timeout, the process killed — the database
 * keeps all of it or none of it. A lock timeout or deadlock rolls back and tries again
 * (bounded); when the attempts run out, the failure names the sessions holding locks on
 * `relations`. `body` returning an error rolls back and returns it; any other exception
 * rolls back and is rethrown (the caller decides what a failed migration means).
 */
export async function inMigrationTransaction<T>(
  client: pg.ClientBase,
  options: MigrationTransactionOptions,
  body: (client: pg.ClientBase) => Promise<Result<T>>,
): Promise<Result<TransactionOutcome<T>>> {
  let blockers: SessionInfo[] = [];
  for (let attempt = 1; ; attempt++) {
    const start = performance.now();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.round(options.lockTimeoutMs))}ms`]);
      const result = await body(client);
      if (!result.ok) {
        await client.query('ROLLBACK');
        return result;
      }
      await client.query('COMMIT');
      return ok({ value: result.value, attempts: attempt, heldMs: Math.round(performance.now() - start) });
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (e as { code?: string }).code;
      if (!code || !RETRYABLE.has(code)) throw e;
      blockers = await relationLockSessions(client, options.relations);
      if (attempt > options.retries || options.signal?.aborted) break;
      const base = options.backoffMs ?? 250;
      const delay = Math.min(base * 2 ** (attempt - 1), 5000) + Math.round(Math.random() * base * 0.5);
      options.onRetry?.(attempt, blockers, delay);
      await sleep(delay, options.signal);
    }
  }
  if (options.signal?.aborted) return err(failure('interrupted', `Interrupted: did not ${options.what}`, ExitCode.interrupted));
  const attempts = options.retries + 1;
  const named = blockers.map(describeSession);
  return err(
    failure(
      'lock_timeout',
      `Could not ${options.what}: a table lock was not granted within ${options.lockTimeoutMs} ms, ${attempts} attempt${attempts > 1 ? 's' : ''}. Nothing was changed.` +
        (named.length > 0 ? `\nSessions holding or waiting for locks on ${[...new Set(options.relations.map((r) => r.table))].join(', ')}:\n  ${named.join('\n  ')}` : ''),
      ExitCode.failed,
      {
        hint: 'Wait for those sessions to finish (or end them: SELECT pg_terminate_backend(pid)), then run again; --lock-timeout and --retries give them longer.',
        problems: named,
      },
    ),
  );
}
