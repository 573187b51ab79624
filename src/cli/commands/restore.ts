import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface RestoreFlags {
  databaseUrl?: string;
  directUrl?: string;
  toDatabase?: string;
  pgRestore?: string;
  owner: boolean;
  lockTimeout: string;
  yes?: boolean;
  json?: boolean;
}

export function registerRestore(program: Command): void {
  databaseOption(program.command('restore <manifest>'))
    .description("the guide's rollback step 3: verify a backup, confirm, pg_restore it in one transaction, compare row counts")
    .option('--to-database <name>', 'restore into this NEW database on the same server (created; refused if it exists)')
    .option('--pg-restore <path>', 'pg_restore to use (default: the one on PATH)')
    .option('--no-owner', 'pg_restore --no-owner: the restoring user owns everything (when the original roles do not exist)')
    .addOption(durationOption('--lock-timeout <duration>', 'give up when a table stays locked this long (the backend still running?)', '30s'))
    .option('-y, --yes', 'do not ask for confirmation (the target database is replaced)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'Runs pg_restore --clean --if-exists --single-transaction --exit-on-error: a failure changes nothing.',
        examples: [
          'tierctl restore backup_before_tier_migration_20251108_120000.manifest.json --to-database app_restored',
          'tierctl restore backup_before_tier_migration_20251108_120000.manifest.json --yes --lock-timeout 1m',
        ],
        exits: [
          [0, 'restored, and row counts match'],
          [1, 'restore failed or counts differ'],
          [2, 'usage or configuration error'],
          [3, 'unreachable'],
          [4, 'refused: the backup does not match its manifest, the target database exists, or no confirmation'],
        ],
      }),
    )
    .action((manifest: string, opts: RestoreFlags) =>
      runAction(Boolean(opts.json), async (ctx) => (await import('./restore-action.js')).restoreAction(ctx, manifest, opts)),
    );
}
