import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { helpSections } from '../help.js';
import { migrationsDirOption } from '../migrations-dir-option.js';
import { runAction } from '../run-action.js';
import { hookOptions, type HookFlags } from './hook-flags.js';

export interface RollbackFlags extends HookFlags {
  databaseUrl?: string;
  directUrl?: string;
  apiUrl?: string;
  migrationsDir?: string;
  backup?: string;
  acceptLoss?: boolean;
  restore?: string;
  owner?: boolean;
  modelsCsv?: string;
  reason?: string;
  allowEditedDown?: string[];
  lockTimeout?: string;
  timeout?: string;
  wait?: string;
  yes?: boolean;
  json?: boolean;
}

export function registerRollback(program: Command): void {
  hookOptions(migrationsDirOption(databaseOption(program.command('rollback'))))
    .description("the guide's rollback procedure: stop hook, roll the tier migration back (data-loss guard), optional restore of the backup, start hook, then verify: tier columns gone, /v1/models without tier fields, models equal to the CSV taken before the migration")
    .option('--api-url <url>', 'the API to check for tier fields after the rollback (env API_URL; without it that check is skipped)')
    .option('--backup <manifest>', 'the backup taken before the migration: proves no tier data is lost, and gives the models CSV to compare with')
    .option('--accept-loss', 'drop tier assignments even though no backup holds them')
    .option('--restore <manifest>', 'then restore this backup (rollback step 3: the whole database returns to the backup)')
    .option('--no-owner', 'restore without the original owners (roles missing on this server)')
    .option('--models-csv <file>', 'the models CSV to compare with (default: the one in the --backup/--restore manifest)')
    .option('--reason <text>', 'why, recorded in the rollback audit table')
    .option('--allow-edited-down <name...>', "run this migration's down.sql although it differs from the one recorded when it was applied (after reviewing it)")
    .addOption(durationOption('--lock-timeout <duration>', 'how long the rollback may wait for its lock on models', '5s'))
    .addOption(durationOption('--timeout <duration>', 'HTTP timeout for the API check', '5s'))
    .addOption(durationOption('--wait <duration>', 'how long running instances get to stop serving the tier fields', '10s'))
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'Refusals (exit 4) change nothing.',
        examples: [
          'tierctl rollback --backup backup_before_tier_migration_20251108_120000.manifest.json --yes',
          "tierctl rollback --api-url http://localhost:3000 --accept-loss --reason 'INC-1234' --yes",
          'tierctl rollback --restore backup_before_tier_migration_20251108_120000.manifest.json --yes',
        ],
        exits: [
          [0, 'rolled back and verified, or nothing to roll back (the tier migration is not applied: nothing run, no hook, nothing changed; as migrate rollback)'],
          [1, 'a step or the verification failed'],
          [2, "usage or configuration error; a database (or ?schema=) without the API's tables (named), before any step"],
          [3, 'unreachable'],
          [4, 'refused: tier data would be lost without --backup/--accept-loss, a tampered backup or one of another database, an edited down.sql, a down.sql that removes more than its migration added, no confirmation'],
          [130, 'interrupted'],
        ],
      }),
    )
    .action((opts: RollbackFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./rollback-action.js')).rollbackAction(ctx, opts)));
}
