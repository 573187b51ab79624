import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { helpSections } from '../help.js';
import { migrationsDirOption } from '../migrations-dir-option.js';
import { runAction } from '../run-action.js';

export interface PreflightFlags {
  databaseUrl?: string;
  directUrl?: string;
  backupDir: string;
  pgDump?: string;
  migrationsDir?: string;
  longTransaction: string;
  json?: boolean;
}

export function registerPreflight(program: Command): void {
  migrationsDirOption(databaseOption(program.command('preflight')))
    .description('can this deployment go ahead? connectivity, versions, privileges, schema and ledger state, locks, backup space')
    .option('--backup-dir <dir>', 'where the backup will be written (free space is checked there)', '.')
    .option('--pg-dump <path>', 'pg_dump to check (default: the one on PATH)')
    .addOption(durationOption('--long-transaction <duration>', 'report transactions open longer than this', '60s'))
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'Each check is ok, a warning or a blocker.',
        examples: [
          'tierctl preflight',
          'tierctl preflight --database-url postgresql://app@db.internal:5432/app --backup-dir /var/backups/tierctl',
          'tierctl preflight --long-transaction 5m --json',
        ],
        exits: [
          [0, 'no blocker (warnings may need reading)'],
          [1, 'a blocker'],
          [2, 'usage or configuration error'],
          [3, 'database unreachable'],
        ],
      }),
    )
    .action((opts: PreflightFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./preflight-action.js')).preflightAction(ctx, opts)));
}
