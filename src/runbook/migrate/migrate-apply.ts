import type pg from 'pg';
import { ensureLedger } from '../../db/migrations/ledger-writes.js';
import { applyMigration, type AppliedMigration } from '../../db/migrations/migration-runner.js';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import type { SessionInfo } from '../../db/migrations/session-info.js';
import { checkTierSchema, type TierSchemaCheck } from '../../db/migrations/tier-schema-check.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { applyRefusal, pendingMigrations, planScript, type PlannedScript } from './apply-plan.js';
import { reportRetry, underMigrationLock } from './migration-lock.js';
import { loadMigrationSet, readMigrationState, withoutTransactionControl, type MigrationSet } from './migration-state.js';

export interface MigrateApplyOptions {
  readonly database: DatabaseTarget;
  readonly migrationsDir?: string;
  /** SET LOCAL lock_timeout for each migration's transaction (default 5000). */
  readonly lockTimeoutMs?: number;
  /** Further attempts after a lock timeout (default 3). */
  readonly retries?: number;
  /** How long to wait for the migration advisory lock (default 10000, Prisma's). */
  readonly waitMs?: number;
  /** Show what would run, and the locks it would take; change nothing. */
  readonly dryRun?: boolean;
  /** The deployment this apply belongs to: recorded with each migration so its automatic rollback undoes exactly these. */
  readonly runId?: string;
}

export interface MigrateApplyDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** Asked (once, before taking the lock) when there is something to apply; throws to refuse. */
  readonly confirm?: (plan: { readonly database: string; readonly pending: readonly string[] }) => Promise<void>;
}

export interface MigrateApplyReport {
  readonly database: string;
  readonly schema: string;
  readonly dryRun: boolean;
  /** Dry run: what would run, statement by statement with its lock. Otherwise empty. */
  readonly plan: readonly PlannedScript[];
  /** What this run applied, each with the time its locks were held. */
  readonly applied: readonly AppliedMigration[];
  /** Migrations already applied before this run (also when another run applied them while this one waited). */
  readonly alreadyApplied: readonly string[];
  /** How long this run waited for the migration advisory lock, and for whom. */
  readonly lockWaitMs: number;
  readonly waitedFor: readonly SessionInfo[];
  /** The guide's step 5, when the tier migration is applied. */
  readonly tierSchema: TierSchemaCheck | null;
}

/**
 * `tierctl migrate apply`: `prisma migrate deploy`, done in one transaction per migration.
 * Reads the state first (refusing P3005, P3009, a partial tier schema, an edited applied
 * migration), asks for confirmation, takes Prisma's advisory lock, reads the state again
 * (another run may have applied everything meanwhile), applies what is pending, and
 * checks the catalog has the guide's columns and indexes.
 */
export async function migrateApply(options: MigrateApplyOptions, deps: MigrateApplyDeps): Promise<Result<MigrateApplyReport>> {
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  return withMigrationSession(options.database, 'migrate apply', (client, schema) => applyWith(client, set.value, schema, options, deps), { plain: Boolean(options.dryRun) });
}

async function applyWith(client: pg.Client, set: MigrationSet, schema: string, options: MigrateApplyOptions, deps: MigrateApplyDeps): Promise<Result<MigrateApplyReport>> {
  const database = options.database.redacted;
  const base = { database, schema, dryRun: Boolean(options.dryRun), plan: [], applied: [], lockWaitMs: 0, waitedFor: [], tierSchema: null };
  const before = await readMigrationState(client, schema, set.files);
  const refused = applyRefusal(set, before);
  if (refused) return err(refused);
  const pending = pendingMigrations(set, before);
  const runnable = withoutTransactionControl(pending);
  if (!runnable.ok) return runnable;
  const already = set.files.filter((f) => !pending.includes(f)).map((f) => f.name);
  if (options.dryRun) return ok({ ...base, alreadyApplied: already, plan: pending.map((f) => planScript(f.name, f.checksum, f.sql)) });
  if (pending.length > 0) await deps.confirm?.({ database, pending: pending.map((f) => f.name) });

  return underMigrationLock(client, options, deps, async (lock) => {
    const state = await readMigrationState(client, schema, set.files);
    const refusedNow = applyRefusal(set, state);
    if (refusedNow) return err(refusedNow);
    if (state.status.ledgerMissing) await ensureLedger(client, schema);
    const todo = pendingMigrations(set, state);
    const applied: AppliedMigration[] = [];
    for (const file of todo) {
      if (deps.signal?.aborted) return err(stoppedAfter(applied, 'Interrupted', ExitCode.interrupted));
      const step = deps.reporter.step(`Applying ${file.name}`);
      const result = await applyMigration(client, schema, file, {
        lockTimeoutMs: options.lockTimeoutMs ?? 5000,
        retries: options.retries ?? 3,
        signal: deps.signal,
        onRetry: reportRetry(step),
        runId: options.runId ?? null,
      });
      if (!result.ok) {
        step.fail(result.failure.code);
        return err(applied.length > 0 ? { ...result.failure, message: `${result.failure.message}\n\n${stoppedAfter(applied, 'Stopped', ExitCode.failed).message}` } : result.failure);
      }
      step.succeed(`locks held ${result.value.heldMs} ms${result.value.attempts > 1 ? `, ${result.value.attempts} attempts` : ''}`);
      applied.push(result.value);
    }
    const tierSchema = set.hasTierMigration ? await checkTierSchema(client, schema, 'present') : null;
    const report = { ...base, applied, alreadyApplied: set.files.filter((f) => !todo.includes(f)).map((f) => f.name), lockWaitMs: lock.waitedMs, waitedFor: lock.waitedFor, tierSchema };
    if (tierSchema && !tierSchema.ok) {
      return err(failure('tier_schema_incomplete', `After apply, models lacks ${tierSchema.wrong.join(', ')} (guide step 5)`, ExitCode.failed));
    }
    return ok(report);
  });
}

function stoppedAfter(applied: readonly AppliedMigration[], what: string, exitCode: ExitCode) {
  const done = applied.length > 0 ? `after applying ${applied.map((a) => a.name).join(', ')} (committed)` : 'before applying anything';
  return failure('interrupted', `${what} ${done}.`, exitCode);
}
