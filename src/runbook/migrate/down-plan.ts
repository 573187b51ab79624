import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { sha256 } from '../../db/migrations/migration-records.js';
import type { DownStep } from '../../db/migrations/down-runner.js';
import type { ModelTierData } from '../../db/migrations/tier-data-loss.js';
import { describeDifferences, tierCoverage, type TierCoverage } from '../../db/dump/tier-coverage.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Failure, type Result } from '../../shared/failure.js';
import type { BackupEvidence } from '../backup/backup-evidence.js';
import { migrationProblems, refusal } from './migration-problems.js';
import type { MigrationSet, MigrationState } from './migration-state.js';

/**
 * Which migrations a rollback undoes: by default everything from the tier migration on
 * (the state before 20251108000000_add_model_tier_access_control), with `--to NAME` every
 * migration after NAME. Returns `after`: every applied migration whose name sorts after it
 * is undone (names sort in Prisma's order); `target` is the migration the database returns to.
 */
export function downTarget(set: MigrationSet, to: string | undefined): Result<{ after: string; target: string | null }> {
  if (to !== undefined) {
    const i = set.files.findIndex((f) => f.name === to);
    if (i === -1) {
      return err(usageFailure('migration_not_found', `P3017: The migration ${to} could not be found in ${set.dir}. Please make sure that the migration exists, and that you included the whole name of the directory.`));
    }
    return ok({ after: to, target: to });
  }
  if (!set.hasTierMigration) return err(usageFailure('no_tier_migration', `${set.dir} has no ${TIER_MIGRATION}: say what to return to with --to NAME`));
  const i = set.files.findIndex((f) => f.name === TIER_MIGRATION);
  const target = set.files[i - 1]?.name ?? null;
  return ok({ after: target ?? '', target });
}

/** Problems that make a rollback unsafe to start: it works from the ledger, which must be trustworthy. */
const BLOCKING = new Set(['not_managed', 'failed_migration', 'tier_schema_partial', 'tier_schema_unrecorded']);

/** The applied migrations after `after`, newest first, each with its down.sql; or why not. */
export function downSteps(set: MigrationSet, state: MigrationState, after: string): Result<DownStep[]> {
  const blocking = migrationProblems(state, set.hasTierMigration).find((p) => BLOCKING.has(p.code));
  if (blocking) return err(refusal(blocking));
  const unknown = state.status.unknownInDatabase.filter((n) => n > after);
  if (unknown.length > 0) {
    return err(failure('no_down_sql', `Cannot roll back ${unknown.join(', ')}: applied in the database but not in ${set.dir}, so there is no down.sql for ${unknown.length > 1 ? 'them' : 'it'}.`, ExitCode.refused, { hint: 'Roll back with the code (and migrations directory) that applied them.' }));
  }
  const applied = state.status.entries.filter((e) => e.name > after && (e.state === 'applied' || e.state === 'modified'));
  const files = applied.map((e) => set.files.find((f) => f.name === e.name)!).reverse();
  const withoutDown = files.filter((f) => f.downSql === null).map((f) => f.name);
  if (withoutDown.length > 0) {
    return err(failure('no_down_sql', `Refusing to roll back: no down.sql for ${withoutDown.join(', ')} in ${set.dir}.`, ExitCode.refused, { hint: 'Write and review a down.sql for it, or restore the backup taken before it was applied (tierctl restore).' }));
  }
  return ok(files.map((f) => ({ name: f.name, checksum: f.checksum, downSql: f.downSql!, migrationSql: f.sql, record: null })));
}

/**
 * Safety rule 4: a down.sql that is not the one there when tierctl applied the migration
 * (SHA-256 recorded then) is shown and refused (exit 4), unless `allowEdited` names that
 * migration. Migrations without a record (applied by Prisma) have nothing to compare with:
 * the catalog check inside the rollback still applies to them.
 */
export function editedDownRefusal(steps: readonly DownStep[], allowEdited: readonly string[]): Failure | null {
  const edited = steps.filter((s) => s.record && s.record.downSha256 !== sha256(s.downSql) && !allowEdited.includes(s.name));
  if (edited.length === 0) return null;
  const shown = edited.map((s) => `${s.name}/down.sql (sha256 ${sha256(s.downSql)}, ${s.record!.downSha256 ? `${s.record!.downSha256} when applied` : 'none when applied'}):\n${s.downSql.trimEnd().split('\n').map((l) => `    | ${l}`).join('\n')}`);
  return failure('down_sql_edited', `Refusing to run a down.sql edited since its migration was applied:\n  ${shown.join('\n  ')}`, ExitCode.refused, {
    hint: `Review it; to run it anyway, name it: ${edited.map((s) => `--allow-edited-down ${s.name}`).join(' ')}. The catalog check (only what the migration added may go) still applies.`,
    problems: edited.map((s) => `${s.name}/down.sql edited since applied`),
  });
}

/** Why the rollback may drop these models' tier values: nothing to lose, --accept-loss, or a backup whose dump holds them. */
export type LossAllowance = 'nothing-to-lose' | 'accept-loss' | 'backup';

export interface DataLossDecision {
  readonly models: readonly ModelTierData[];
  readonly allowedBy: LossAllowance | null;
  readonly refusal: Failure | null;
  /** With a backup: the models' live values compared with the dump's, model by model. */
  readonly coverage: TierCoverage | null;
}

const describeModel = (m: ModelTierData) =>
  `${m.id}: required_tier=${m.requiredTier ?? '-'}, tier_restriction_mode=${m.tierRestrictionMode ?? '-'}, allowed_tiers={${m.allowedTiers?.join(',') ?? '-'}}`;

/**
 * The data-loss guard: dropping the tier columns destroys every tier value that is not
 * the column default. Allowed when there is none, with --accept-loss, or with a verified
 * backup of this database whose dump holds exactly these values (compared with the dump's
 * contents, never by timestamps); otherwise refused (exit 4) naming the models, and with a
 * backup, which of them differ and how. `evidence` is the checked backup, or why it did not check out.
 */
export function dataLossDecision(models: readonly ModelTierData[], acceptLoss: boolean, evidence: Result<BackupEvidence> | null): DataLossDecision {
  const coverage = evidence?.ok ? tierCoverage(models, evidence.value.tierValues) : null;
  if (models.length === 0) return { models, allowedBy: 'nothing-to-lose', refusal: null, coverage };
  if (acceptLoss) return { models, allowedBy: 'accept-loss', refusal: null, coverage };
  if (coverage?.covered) return { models, allowedBy: 'backup', refusal: null, coverage };
  const lines = coverage ? describeDifferences(coverage) : models.map(describeModel);
  const why = !evidence
    ? 'No backup was given (--backup MANIFEST) and --accept-loss was not given.'
    : !evidence.ok
      ? `The backup does not check out: ${evidence.failure.message}`
      : `The dump of ${evidence.value.manifest} does not hold these values: ${coverage!.differences.length} of ${coverage!.compared} model(s) differ (above).`;
  const what = coverage ? `differ from the backup` : `would be dropped`;
  return {
    models,
    allowedBy: null,
    coverage,
    refusal: failure('data_loss', `Rolling back ${TIER_MIGRATION} would drop the tier settings of ${models.length} model${models.length > 1 ? 's' : ''}; these ${what}:\n  ${lines.join('\n  ')}\n${why}`, ExitCode.refused, {
      hint: 'Take a backup now (tierctl backup --dir DIR) and pass its manifest with --backup, or give --accept-loss if these values may go.',
      problems: lines,
    }),
  };
}
