import type pg from 'pg';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { runDownMigrations, type DownStep } from '../../db/migrations/down-runner.js';
import type { SessionInfo } from '../../db/migrations/session-info.js';
import { modelsWithTierData, type ModelTierData } from '../../db/migrations/tier-data-loss.js';
import { checkTierSchema, type TierSchemaCheck } from '../../db/migrations/tier-schema-check.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { planScript, type PlannedScript } from './apply-plan.js';
import { databaseIdentity, checkBackupEvidence, type BackupEvidence } from '../backup/backup-evidence.js';
import { reportRetry, underMigrationLock } from './migration-lock.js';
import { loadMigrationSet, readMigrationState, withoutTransactionControl, type MigrationSet } from './migration-state.js';
import { dataLossDecision, editedDownRefusal, downSteps, downTarget, type LossAllowance } from './down-plan.js';
import { recordOfApplied } from '../../db/migrations/migration-records.js';
import type { TierCoverage } from '../../db/dump/tier-coverage.js';

export interface MigrateDownOptions {
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
  /**
   * Roll back exactly these migrations (a deployment's own, from `_tierctl_migrations`):
   * refused (exit 4) when the ledger would make the rollback undo any other.
   */
  readonly exactly?: readonly string[];
  /** Migrations whose down.sql may differ from the one recorded when they were applied (reviewed by the operator). */
  readonly allowEditedDown?: readonly string[];
}

export interface DownPlanView {
  readonly database: string;
  readonly migrations: readonly string[];
  readonly target: string | null;
  readonly modelsWithTierData: readonly ModelTierData[];
  readonly allowedBy: LossAllowance | null;
}

export interface MigrateDownDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** Asked before anything changes, when there is something to roll back; throws to refuse. */
  readonly confirm?: (plan: DownPlanView) => Promise<void>;
}

export interface MigrateDownReport {
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
  /** With --backup: the live tier values compared with the dump's, model by model (what differs, if anything). */
  readonly coverage: TierCoverage | null;
  /** The backup that was checked (its tier values are in `coverage`). */
  readonly backup: Omit<BackupEvidence, 'tierValues'> | null;
  readonly lockWaitMs: number;
  readonly waitedFor: readonly SessionInfo[];
  /** The guide's rollback step 6: tier columns and indexes gone (when the tier migration was rolled back). */
  readonly tierSchema: TierSchemaCheck | null;
  /** Dry run only: why the real rollback would be refused (the data-loss guard), or null. */
  readonly refusal: Failure | null;
}

/** How "nothing to roll back" is said, by `tierctl migrate rollback` and `tierctl rollback`. */
export const nothingAppliedAfter = (target: string | null): string => (target ? `no migration after ${target} is applied` : 'no migration is applied');

/**
 * `tierctl migrate rollback`: the guide's rollback SQL, made safe. Plans from the ledger,
 * applies the data-loss guard, asks, takes Prisma's advisory lock, plans again, and runs
 * every down.sql with the ledger and audit writes in one transaction.
 */
export async function migrateDown(options: MigrateDownOptions, deps: MigrateDownDeps): Promise<Result<MigrateDownReport>> {
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const target = options.exactly ? exactTarget(set.value, options.exactly) : downTarget(set.value, options.to);
  if (!target.ok) return target;
  return withMigrationSession(options.database, 'migrate rollback', (client, schema) => rollbackWith(client, set.value, schema, target.value, options, deps), { plain: Boolean(options.dryRun) });
}

async function plan(client: pg.Client, set: MigrationSet, schema: string, after: string, exactly?: readonly string[]) {
  const state = await readMigrationState(client, schema, set.files);
  const planned = downSteps(set, state, after);
  if (!planned.ok) return planned;
  const steps: DownStep[] = [];
  for (const s of planned.value) steps.push({ ...s, record: await recordOfApplied(client, schema, s.name) });
  const others = exactly ? steps.map((s) => s.name).filter((n) => !exactly.includes(n)) : [];
  if (others.length > 0) {
    return err(failure('rollback_not_ours', `Refusing to roll back ${others.join(', ')}: applied, but not by this run (it applied ${exactly!.join(', ')}). Nothing was changed.`, ExitCode.refused, {
      hint: 'Another run applied migrations after this one: decide by hand what to roll back (tierctl migrate rollback --to NAME).',
    }));
  }
  const runnable = withoutTransactionControl(steps.map((s) => ({ name: `${s.name}/down.sql`, sql: s.downSql })));
  if (!runnable.ok) return runnable;
  const tierColumns = steps.some((s) => s.name === TIER_MIGRATION) ? state.tier.columns : [];
  return ok({ steps, tierColumns, models: await modelsWithTierData(client, schema, tierColumns) });
}

const withoutValues = ({ tierValues: _values, ...rest }: BackupEvidence): Omit<BackupEvidence, 'tierValues'> => rest;

/** The state right before the earliest of `names` (in the migrations' order). */
function exactTarget(set: MigrationSet, names: readonly string[]): Result<{ after: string; target: string | null }> {
  const i = set.files.findIndex((f) => names.includes(f.name));
  if (i === -1) return err(failure('migration_not_found', `None of ${names.join(', ')} is in ${set.dir}: nothing to roll back with`, ExitCode.refused));
  const target = set.files[i - 1]?.name ?? null;
  return ok({ after: target ?? '', target });
}

async function rollbackWith(client: pg.Client, set: MigrationSet, schema: string, target: { after: string; target: string | null }, options: MigrateDownOptions, deps: MigrateDownDeps): Promise<Result<MigrateDownReport>> {
  const database = options.database.redacted;
  // A database (or ?schema=) without the API's tables has nothing of ours to roll back: a wrong URL, not a success.
  const missing = await missingApiTables(client, schema);
  if (missing.length > 0) return err(missingApiTablesFailure(database, schema, missing));
  const first = await plan(client, set, schema, target.after, options.exactly);
  if (!first.ok) return first;
  const evidence = options.backupManifest ? await checkBackupEvidence(options.backupManifest, { identity: await databaseIdentity(client), schema }, deps) : null;
  if (evidence && !evidence.ok && evidence.failure.exitCode === ExitCode.usage) return evidence;
  const edited = editedDownRefusal(first.value.steps, options.allowEditedDown ?? []);
  if (edited && !options.dryRun) return err(edited);
  const decision = dataLossDecision(first.value.models, Boolean(options.acceptLoss), evidence);
  if (decision.refusal && !options.dryRun) return err(decision.refusal);
  const scripts = (steps: readonly DownStep[]) => steps.map((s) => planScript(s.name, s.checksum, s.downSql));
  const report = {
    database, schema, dryRun: Boolean(options.dryRun), target: target.target, plan: scripts(first.value.steps), rolledBack: [], attempts: 0, heldMs: 0,
    modelsWithTierData: decision.models, allowedBy: decision.allowedBy, coverage: decision.coverage, backup: evidence?.ok ? withoutValues(evidence.value) : null, lockWaitMs: 0, waitedFor: [], tierSchema: null,
    refusal: edited ?? decision.refusal,
  };
  if (options.dryRun || first.value.steps.length === 0) {
    const tierSchema = set.hasTierMigration && target.after < TIER_MIGRATION ? await checkTierSchema(client, schema, 'absent') : null;
    return ok({ ...report, tierSchema: options.dryRun ? null : tierSchema });
  }
  await deps.confirm?.({ database, migrations: first.value.steps.map((s) => s.name), target: target.target, modelsWithTierData: decision.models, allowedBy: decision.allowedBy });

  return underMigrationLock(client, options, deps, async (lock) => {
    const now = await plan(client, set, schema, target.after, options.exactly);
    if (!now.ok) return now;
    if (now.value.steps.length === 0) return ok({ ...report, plan: [], lockWaitMs: lock.waitedMs, waitedFor: lock.waitedFor });
    const editedNow = editedDownRefusal(now.value.steps, options.allowEditedDown ?? []);
    if (editedNow) return err(editedNow);
    const step = deps.reporter.step(`Rolling back ${now.value.steps.map((s) => s.name).join(', ')}`);
    let allowedBy = decision.allowedBy;
    const done = await runDownMigrations(client, schema, now.value.steps, {
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
    const tierSchema = done.value.names.includes(TIER_MIGRATION) ? await checkTierSchema(client, schema, 'absent') : null;
    if (tierSchema && !tierSchema.ok) return err(failure('tier_schema_not_removed', `After rollback, models still has ${tierSchema.wrong.join(', ')}`, ExitCode.failed));
    return ok({
      ...report, plan: scripts(now.value.steps), rolledBack: done.value.names, attempts: done.value.attempts, heldMs: done.value.heldMs,
      modelsWithTierData: done.value.droppedTierData, allowedBy, lockWaitMs: lock.waitedMs, waitedFor: lock.waitedFor, tierSchema,
    });
  });
}
