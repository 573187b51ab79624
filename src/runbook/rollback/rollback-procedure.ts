import { requireSession } from '../../db/pooler-check.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { failure, ok, type Failure, type Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import { silentReporter, type Reporter } from '../../shared/reporter.js';
import type { PhaseRecord } from '../deploy/deploy-journal.js';
import { hookPhase } from '../deploy/deploy-phases.js';
import { runSequence, unrecordedRun, type PhaseStep } from '../deploy/run-phase.js';
import { migrateDown, nothingAppliedAfter } from '../migrate/migrate-down.js';
import { restoreBackup } from '../backup/restore-backup.js';
import { validateRollback, type RollbackValidation } from './rollback-validation.js';
import { apiWithoutTierFields, beforeCsvPath, modelsMatchCsv, schemaWithoutTier, type RollbackCheck } from './rollback-checks.js';

/**
 * `tierctl rollback`: the guide's rollback procedure. Stop hook, `migrate rollback` with its
 * data-loss guard, optional restore of the backup, start hook, then the guide's "Verify
 * Rollback": tier columns gone, /v1/models without tier fields, and the models CSV taken
 * before the migration printed again by the database. Stops at the first failed step and
 * says where things are; it never starts a service on a database it could not roll back.
 */
export interface RollbackOptions {
  readonly database: DatabaseTarget;
  readonly apiUrl?: string;
  readonly migrationsDir?: string;
  /** The backup taken before the migration: evidence for the data-loss guard, and its models CSV. */
  readonly backupManifest?: string;
  readonly acceptLoss: boolean;
  /** Restore this backup after the rollback (the guide's step 3). */
  readonly restoreManifest?: string;
  readonly noOwner?: boolean;
  readonly modelsCsv?: string;
  readonly stopCmd?: string;
  readonly startCmd?: string;
  readonly hookTimeoutMs: number;
  readonly httpTimeoutMs: number;
  /** How long running instances get to stop serving the tier fields. */
  readonly waitMs: number;
  readonly reason?: string;
  readonly lockTimeoutMs?: number;
  /** Migrations whose edited down.sql the operator reviewed and allows. */
  readonly allowEditedDown?: readonly string[];
}

export interface RollbackReport {
  /** `nothing_to_roll_back`: no migration after the target is applied (and no --restore): validated, nothing run, nothing changed. */
  readonly outcome: 'rolled_back' | 'nothing_to_roll_back' | 'failed' | 'interrupted';
  /** With `nothing_to_roll_back`: the migration the database is at (null: none applied). */
  readonly target?: string | null;
  readonly phases: readonly PhaseRecord[];
  readonly verification: readonly RollbackCheck[];
  readonly failure: Failure | null;
  readonly totalMs: number;
}

export async function rollbackProcedure(o: RollbackOptions, deps: { reporter: Reporter; signal?: AbortSignal }): Promise<Result<RollbackReport>> {
  const started = performance.now();
  const run = unrecordedRun(o.database.redacted, deps.reporter);
  const signal = deps.signal ? { signal: deps.signal } : {};
  const csv = await beforeCsvPath({ ...(o.backupManifest ?? o.restoreManifest ? { manifest: (o.backupManifest ?? o.restoreManifest)! } : {}), ...(o.modelsCsv ? { csv: o.modelsCsv } : {}) });
  if (!csv.ok) return csv;
  // Refused before the stop hook: a rollback that cannot take its lock must not stop the service first.
  const session = await requireSession(o.database, 'tierctl rollback');
  if (!session.ok) return session;
  const verification: RollbackCheck[] = [];
  let validation: RollbackValidation | undefined;
  const validate: PhaseStep = ['validate', 'Validate the backups, their database and the data-loss guard (before any change)', async () => {
    const r = await validateRollback(o, deps.signal);
    if (r.ok) validation = r.value.data;
    return r;
  }];
  const invalid = await runSequence(run, [validate], deps.signal);
  const end = (outcome: RollbackReport['outcome'], failed: Failure | null, extra: Partial<RollbackReport> = {}): Result<RollbackReport> =>
    ok({ outcome, phases: run.journal.phases, verification, failure: failed, totalMs: Math.round(performance.now() - started), ...extra });
  if (invalid) return end(invalid.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed', invalid);
  // The tier migration is not applied: stopping the backend and "verifying" a rollback that did not happen would only mislead.
  if (validation?.nothingToRollBack && !o.restoreManifest) return end('nothing_to_roll_back', null, { target: validation.target });
  const steps: PhaseStep[] = [
    ['stop', 'Stop the backend (rollback step 1)', o.stopCmd ? () => hookPhase(o.stopCmd!, o.hookTimeoutMs, deps.signal) : 'no --stop-cmd'],
    ['migrate-rollback', 'Roll back the migration (rollback step 2)', async () => {
      // --restore returns the whole database to the backup: discarding later tier assignments is what it is for.
      const backup = o.backupManifest ?? o.restoreManifest;
      const r = await migrateDown(
        { database: o.database, acceptLoss: o.acceptLoss || Boolean(o.restoreManifest), ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}), ...(backup ? { backupManifest: backup } : {}), ...(o.reason ? { reason: o.reason } : {}), ...(o.lockTimeoutMs ? { lockTimeoutMs: o.lockTimeoutMs } : {}), allowEditedDown: o.allowEditedDown ?? [] },
        { reporter: silentReporter, ...signal },
      );
      if (!r.ok) return r;
      const detail = r.value.rolledBack.length === 0 ? `nothing to roll back (${nothingAppliedAfter(r.value.target)})` : `rolled back ${r.value.rolledBack.join(', ')} (models locked ${Math.round(r.value.heldMs)} ms)`;
      return ok({ detail, data: { rolledBack: r.value.rolledBack, target: r.value.target, allowedBy: r.value.allowedBy } });
    }],
    ['restore', 'Restore the backup (rollback step 3)', o.restoreManifest ? async () => {
      const r = await restoreBackup({ manifestPath: o.restoreManifest!, database: o.database, ...(o.noOwner ? { noOwner: true } : {}) }, { reporter: silentReporter, ...signal, confirm: async () => true });
      if (!r.ok) return r;
      return ok({ detail: `${r.value.counts.length} tables restored, row counts equal the manifest`, data: { counts: r.value.counts } });
    } : 'no --restore'],
    ['start', 'Start the backend (rollback step 5)', o.startCmd ? () => hookPhase(o.startCmd!, o.hookTimeoutMs, deps.signal) : 'no --start-cmd'],
    ['rollback-verified', 'Verify the rollback (rollback step 6)', async () => {
      verification.push(await schemaWithoutTier(o.database));
      verification.push(o.apiUrl ? await apiWithoutTierFields(o.apiUrl, { waitMs: o.waitMs, timeoutMs: o.httpTimeoutMs, ...signal }) : { id: 'api', title: '/v1/models answers without tier fields', result: 'skipped', detail: 'no --api-url' });
      verification.push(await modelsMatchCsv(o.database, csv.value));
      const failed = verification.filter((v) => v.result === 'fail');
      if (failed.length > 0) return { ok: false, failure: failure('rollback_not_verified', `Rollback verification failed: ${failed.map((f) => `${f.title}: ${f.detail}`).join('; ')}`, ExitCode.failed) };
      return ok({ detail: verification.map((v) => `${v.title}: ${v.result}`).join('; '), data: verification });
    }],
  ];
  const failed = await runSequence(run, steps, deps.signal);
  return end(!failed ? 'rolled_back' : failed.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed', failed);
}
