import type { Command } from 'commander';
import { helpSections } from '../../help.js';
import { runAction } from '../../run-action.js';
import { commonOptions, lockOptions } from './migrate-flags.js';

import type { CliContext } from '../../context.js';
import type { MigrateFlags } from './migrate-flags.js';

type Flags = MigrateFlags & Record<string, string | boolean | undefined>;

const U = [2, 'usage or configuration error'] as const;
const UNREACHABLE = [3, 'database unreachable'] as const;
const INTERRUPTED = [130, 'interrupted'] as const;

const HELP = {
  migrate: helpSections({
    examples: ['tierctl migrate status', 'tierctl migrate apply --dry-run', 'tierctl migrate apply --lock-timeout 2s --retries 5', 'tierctl migrate rollback --backup backup_before_tier_migration_20251108_120000.manifest.json --yes'],
  }),
  status: helpSections({
    notes: 'The exit codes follow prisma migrate status.',
    examples: ['tierctl migrate status', 'tierctl migrate status --strict --json'],
    exits: [
      [0, 'the database is up to date'],
      [1, 'a migration is pending or failed, the ledger is missing, or the tier schema is partial or drifted (with --strict also: an applied migration.sql edited since, or migrations applied that are not in the directory)'],
      U,
      UNREACHABLE,
    ],
  }),
  apply: helpSections({
    notes: "Each migration runs in ONE transaction with its _prisma_migrations row, under Prisma's advisory lock (72707369).",
    examples: ['tierctl migrate apply', 'tierctl migrate apply --dry-run', 'tierctl migrate apply --lock-timeout 2s --retries 5 --wait 1m --json'],
    exits: [
      [0, 'applied, or nothing to apply'],
      [1, 'a migration failed (rolled back whole, recorded as failed the way Prisma records it), or a lock was not granted in time (blocking sessions named, nothing changed)'],
      U,
      UNREACHABLE,
      [4, 'refused: schema not managed by Prisma Migrate (P3005, see migrate baseline), a failed migration pending (P3009), a partially applied tier schema, an applied migration.sql edited since, or no confirmation for a non-local database'],
      INTERRUPTED,
    ],
  }),
  rollback: helpSections({
    notes:
      "Runs each down.sql (newest first), deletes the migrations' _prisma_migrations rows and records them in\n" +
      '_tierctl_migration_rollbacks, all in ONE transaction. Refusals change nothing.',
    examples: [
      'tierctl migrate rollback --dry-run',
      'tierctl migrate rollback --backup backup_before_tier_migration_20251108_120000.manifest.json --yes',
      "tierctl migrate rollback --accept-loss --reason 'INC-1234' --yes",
    ],
    exits: [
      [0, 'rolled back, or nothing to roll back (no migration after the target is applied)'],
      [1, 'failed (nothing changed)'],
      [2, "usage or configuration error; a database (or ?schema=) without the API's tables (named): nothing changed"],
      UNREACHABLE,
      [4, "refused: it would drop models' non-default tier settings without --accept-loss or a --backup whose dump holds exactly those values; a down.sql edited since its migration was applied (unless --allow-edited-down names it); a down.sql that removes or changes anything its migration did not add"],
      INTERRUPTED,
    ],
  }),
  baseline: helpSections({
    notes: 'For a database created before tierctl or Prisma Migrate kept its ledger (P3005).',
    examples: ['tierctl migrate baseline', 'tierctl migrate baseline --to 20251101000000_baseline --yes'],
    exits: [
      [0, 'recorded (or already recorded)'],
      [1, 'the migration advisory lock was not granted within --wait'],
      [2, 'usage: --to names no migration (P3017), or none comes before the tier migration'],
      UNREACHABLE,
      [4, 'refused: the schema is not what those migrations build (differences listed), a failed migration in the ledger (P3009), or no confirmation for a non-local database'],
    ],
  }),
  resolve: helpSections({
    examples: ['tierctl migrate resolve --rolled-back 20251108000000_add_model_tier_access_control', 'tierctl migrate resolve --applied 20251108000000_add_model_tier_access_control --yes'],
    exits: [
      [0, 'recorded'],
      [1, 'P3008 already applied, P3011 never applied, P3012 not failed, or the advisory lock not granted within --wait'],
      [2, 'usage: not exactly one of --applied/--rolled-back, or an unknown migration (P3017)'],
      UNREACHABLE,
      [4, 'refused: --applied for a migration whose columns and indexes are missing, or no confirmation for a non-local database'],
    ],
  }),
};

// Each action declares its own flags; commander hands over whatever the options parsed to.
type Action = (ctx: CliContext, flags: never) => Promise<number>;

/** Runs an action whose module is imported only now, so `tierctl --help` stays fast. */
const run = (flags: Flags, load: () => Promise<Action>) => runAction(Boolean(flags.json), async (ctx) => (await load())(ctx, flags as never));

/** `tierctl migrate status|apply|rollback|baseline|resolve`: Prisma Migrate's ledger, kept by tierctl. */
export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description("apply or roll back the migrations, keeping Prisma's _prisma_migrations ledger exactly as Prisma does").addHelpText('after', HELP.migrate);

  commonOptions(migrate.command('status').description('each migration applied, pending, failed, rolled back or modified; the tier schema; ledger problems'))
    .option('--strict', 'also fail (exit 1) on an edited applied migration or migrations missing from the directory')
    .addHelpText('after', HELP.status)
    .action((flags: Flags) => run(flags, async () => (await import('./migrate-status-action.js')).migrateStatusAction));

  lockOptions(commonOptions(migrate.command('apply').description('apply the pending migrations (replaces npx prisma migrate deploy)')), true)
    .option('--dry-run', 'print the SQL of each pending migration and the lock each statement takes; change nothing')
    .option('-y, --yes', 'do not ask for confirmation (asked only for a database on another host)')
    .addHelpText('after', HELP.apply)
    .action((flags: Flags) => run(flags, async () => (await import('./migrate-apply-action.js')).migrateApplyAction));

  lockOptions(commonOptions(migrate.command('rollback').description('run the down.sql files back to the state before the tier migration (or --to NAME)')), true)
    .option('--to <name>', 'return to the state right after this migration (default: before 20251108000000_add_model_tier_access_control)')
    .option('--accept-loss', 'drop non-default tier settings of models even without a backup')
    .option('--backup <manifest>', 'a tierctl backup manifest: its verified dump, taken after the tier settings last changed, allows dropping them')
    .option('--reason <text>', 'why, recorded in the audit table')
    .option('--allow-edited-down <name...>', 'run this migration\'s down.sql although it differs from the one recorded when it was applied (after reviewing it)')
    .option('--dry-run', 'print the down.sql statements, their locks and the tier data they would drop; change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', HELP.rollback)
    .action((flags: Flags) => run(flags, async () => (await import('./migrate-rollback-action.js')).migrateRollbackAction));

  lockOptions(commonOptions(migrate.command('baseline').description('P3005: record the migrations the database already has (default: those before the tier migration) as applied, after checking its schema matches them')), false)
    .option('--to <name>', 'the last migration the database already has')
    .option('-y, --yes', 'do not ask for confirmation (asked only for a database on another host)')
    .addHelpText('after', HELP.baseline)
    .action((flags: Flags) => run(flags, async () => (await import('./migrate-resolve-action.js')).migrateBaselineAction));

  lockOptions(commonOptions(migrate.command('resolve').description('prisma migrate resolve: record a migration as applied, or a failed one as rolled back')), false)
    .option('--applied <name>', 'record it as applied without running it (P3008 if it already is, P3017 if unknown)')
    .option('--rolled-back <name>', 'set its failed rows aside so it can be applied again (P3011 never applied, P3012 not failed)')
    .option('-y, --yes', 'do not ask for confirmation (asked only for a database on another host)')
    .addHelpText('after', HELP.resolve)
    .action((flags: Flags) => run(flags, async () => (await import('./migrate-resolve-action.js')).migrateResolveAction));
}
