import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { runAction } from '../run-action.js';

export interface BackupFlags {
  databaseUrl?: string;
  directUrl?: string;
  dir: string;
  pgDump?: string;
  json?: boolean;
}

export interface VerifyFlags {
  pgRestore?: string;
  json?: boolean;
}

export function registerBackup(program: Command): void {
  const backup = databaseOption(program.command('backup'))
    .description("the guide's steps 4 and 5, verified: pg_dump -F c, the models CSV, pg_restore --list, and a manifest with checksums")
    .option('--dir <dir>', 'directory to write the backup to (must exist)', '.')
    .option('--pg-dump <path>', 'pg_dump to use (default: the one on PATH; pg_restore is taken from beside it)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nWrites backup_before_tier_migration_YYYYMMDD_HHMMSS.{dump,manifest.json} and models_before_migration_YYYYMMDD.csv,\n' +
        'each under a temporary name first; never replaces an existing file (a taken name gets a _2, _3... suffix).\n' +
        'Exit 0 ok, 1 dump or verification failed (disk full included; nothing left under a final name), 2 bad directory or\n' +
        'missing/too old pg_dump, 3 database unreachable.',
    )
    .action((opts: BackupFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./backup-action.js')).backupAction(ctx, opts)));
  backup
    .command('verify <manifest>')
    .description('re-check a backup: files present, sizes and SHA-256 as in the manifest, pg_restore --list still reads the dump')
    .option('--pg-restore <path>', 'pg_restore to use (default: the one on PATH)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit 0 when the backup matches its manifest, 4 when anything differs (tampered or corrupt: do not restore it), 2 manifest unreadable.')
    .action((manifest: string, opts: VerifyFlags) =>
      runAction(Boolean(opts.json), async (ctx) => (await import('./backup-action.js')).verifyAction(ctx, manifest, opts)),
    );
}
