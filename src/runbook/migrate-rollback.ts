import type pg from 'pg';
import { TIER_MIGRATION } from '../db/migration-files.js';
import { currentDatabase, withMigrationSession } from '../db/migration-session.js';
import { rollbackMigrations, type RollbackStep } from '../db/rollback-runner.js';
import type { SessionInfo } from '../db/session-info.js';
import { modelsWithTierData, type ModelTierData } from '../db/tier-data-loss.js';
import { verifyTierSchema, type TierVerification } from '../db/tier-verification.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../shared/failure.js';
import type { DatabaseTarget } from '../shared/database-target.js';
import type { Reporter } from '../shared/reporter.js';
import { planScript, type PlannedScript } from './apply-plan.js';
import { verifyBackupEvidence, type BackupEvidence } from './backup-evidence.js';
import { reportRetry, underMigrationLock } from './migration-lock.js';
import { loadMigrationSet, readMigrationState, withoutTransactionControl, type MigrationSet } from './migration-state.js';
import { dataLossDecision, rollbackSteps, rollbackTarget, type LossAllowance } from './rollback-plan.js';

export interface MigrateRollbackOptions {
  readonly database: DatabaseTarget;
  readonly migrationsDir?: string;
  /** Return to the state right after this migration (default: the one before the tier migration). */
  readonly to?: string;
  /** Drop non-default tier values without a backup. */
  readonly acceptLoss?: boolean;
  /** A `tierctl backup` manifest whose dump holds the tier values that would be dropped. */
  readonly backupManifest?: string;
  /** Why, for the audit table. */
  readonly reason?: string;
  readonly lockTimeoutMs?: number;
  readonly retries?: number;
  readonly waitMs?: number;
  readonly dryRun?: boolean;
}

export interface RollbackPlanView {
  readonly database: string;
  readonly migrations: readonly string[];
  readonly target: string | null;
  readonly modelsWithTierData: readonly ModelTierData[];
  readonly allowedBy: LossAllowance | null;
}

export interface MigrateRollbackDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** Asked before anything changes, when there is something to roll back; throws to refuse. */
  readonly confirm?: (plan: RollbackPlanView) => Promise<void>;
}

export interface MigrateRollbackReport {
  readonly database: string;
  readonly schema: string;
  readonly dryRun: boolean;
  /** The migration the database is back at (null: before every migration). */
  readonly target: string | null;
  /** The down.sql files, newest first, statement by statement with the lock each takes (dry run and real). */
  readonly plan: readonly PlannedScript[];
  readonly rolledBack: readonly string[];
  readonly attempts: number;
  /** BEGIN to COMMIT of the rollback transaction: how long models was locked. */
  readonly heldMs: number;
  /** Models whose tier values were (or, in a dry run, would be) dropped, and what allowed it. */
  readonly modelsWithTierData: readonly ModelTierData[];
  readonly allowedBy: LossAllowance | null;
  readonly backup: BackupEvidence | null;
  readonly lockWaitMs: number;
  readonly waitedFor: readonly SessionInfo[];
  /** The guide's rollback step 6: tier columns and indexes gone (when the tier migration was rolled back). */
  readonly tierSchema: TierVerification | null;
  /** Dry run only: why the real rollback would be refused (the data-loss guard), or null. */
  readonly refusal: Failure | null;
}

/**
 * `tierctl migrate rollback`: the guide's rollback SQL, made safe. Plans from the ledger,
 * applies the data-loss guard, asks, takes Prisma's advisory lock, plans again, and runs
 * every down.sql with the ledger and audit writes in one transaction.
 */
export async function migrateRollback(options: MigrateRollbackOptions, deps: MigrateRollbackDeps): Promise<Result<MigrateRollbackReport>> {
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const target = rollbackTarget(set.value, options.to);
  if (!target.ok) return target;
  return withMigrationSession(options.database, 'migrate rollback', (client, schema) => rollbackWith(client, set.value, schema, target.value, options, deps), { readOnly: Boolean(options.dryRun) });
}

async function plan(client: pg.Client, set: MigrationSet, schema: string, after: string) {
  const state = await readMigrationState(client, schema, set.files);
  const steps = rollbackSteps(set, state, after);
  if (!steps.ok) return steps;
  const runnable = withoutTransactionControl(steps.value.map((s) => ({ name: `${s.name}/down.sql`, sql: s.downSql })));
  if (!runnable.ok) return runnable;
  const tierColumns = steps.value.some((s) => s.name === TIER_MIGRATION) ? state.tier.columns : [];
  return ok({ steps: steps.value, tierColumns, models: await modelsWithTierData(client, schema, tierColumns) });
}

async function rollbackWith(client: pg.Client, set: MigrationSet, schema: string, target: { after: string; target: string | null }, options: MigrateRollbackOptions, deps: MigrateRollbackDeps): Promise<Result<MigrateRollbackReport>> {
  const database = options.database.redacted;
  const first = await plan(client, set, schema, target.after);
  if (!first.ok) return first;
  const evidence = options.backupManifest ? await verifyBackupEvidence(options.backupManifest, { database: await currentDatabase(client) }, deps) : null;
  if (evidence && !evidence.ok && evidence.failure.exitCode === ExitCode.usage) return evidence;
  const decision = dataLossDecision(first.value.models, Boolean(options.acceptLoss), evidence);
  if (decision.refusal && !options.dryRun) return err(decision.refusal);
  const scripts = (steps: readonly RollbackStep[]) => steps.map((s) => planScript(s.name, s.checksum, s.downSql));
  const report = {
    database, schema, dryRun: Boolean(options.dryRun), target: target.target, plan: scripts(first.value.steps), rolledBack: [], attempts: 0, heldMs: 0,
    modelsWithTierData: decision.models, allowedBy: decision.allowedBy, backup: evidence?.ok ? evidence.value : null, lockWaitMs: 0, waitedFor: [], tierSchema: null,
    refusal: decision.refusal,
  };
  if (options.dryRun || first.value.steps.length === 0) {
    const tierSchema = set.hasTierMigration && target.after < TIER_MIGRATION ? await verifyTierSchema(client, schema, 'absent') : null;
    return ok({ ...report, tierSchema: options.dryRun ? null : tierSchema });
  }
  await deps.confirm?.({ database, migrations: first.value.steps.map((s) => s.name), target: target.target, modelsWithTierData: decision.models, allowedBy: decision.allowedBy });

  return underMigrationLock(client, options, deps, async (lock) => {
    const now = await plan(client, set, schema, target.after);
    if (!now.ok) return now;
    if (now.value.steps.length === 0) return ok({ ...report, plan: [], lockWaitMs: lock.waitedMs, waitedFor: lock.waitedFor });
    const step = deps.reporter.step(`Rolling back ${now.value.steps.map((s) => s.name).join(', ')}`);
    let allowedBy = decision.allowedBy;
    const done = await rollbackMigrations(client, schema, now.value.steps, {
      lockTimeoutMs: options.lockTimeoutMs ?? 5000,
      retries: options.retries ?? 3,
      signal: deps.signal,
      onRetry: reportRetry(step),
      tierColumns: now.value.tierColumns,
      reason: options.reason ?? null,
      mayDrop: (models) => {
        const again = dataLossDecision(models, Boolean(options.acceptLoss), evidence);
        allowedBy = again.allowedBy;
        return again.refusal;
      },
    });
    if (!done.ok) {
      step.fail(done.failure.code);
      return done;
    }
    step.succeed(`locks held ${done.value.heldMs} ms`);
    const tierSchema = done.value.names.includes(TIER_MIGRATION) ? await verifyTierSchema(client, schema, 'absent') : null;
    if (tierSchema && !tierSchema.ok) return err(failure('tier_schema_not_removed', `After rollback, models still has ${tierSchema.wrong.join(', ')}`, ExitCode.failed));
    return ok({
      ...report, plan: scripts(now.value.steps), rolledBack: done.value.names, attempts: done.value.attempts, heldMs: done.value.heldMs,
      modelsWithTierData: done.value.droppedTierData, allowedBy, lockWaitMs: lock.waitedMs, waitedFor: lock.waitedFor, tierSchema,
    });
  });
}
