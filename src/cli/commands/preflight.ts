import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
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
    .option('--long-transaction <seconds>', 'report transactions open longer than this', '60')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nEach check is ok, a warning or a blocker. Exit 0 when there is no blocker, 1 otherwise, 3 when the database cannot be reached.')
    .action((opts: PreflightFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./preflight-action.js')).preflightAction(ctx, opts)));
}
