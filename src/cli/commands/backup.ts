import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface BackupFlags {
  databaseUrl?: string;
  directUrl?: string;
  dir: string;
  pgDump?: string;
  json?: boolean;
}

export interface BackupVerifyFlags {
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
      helpSections({
        notes: 'Writes backup_before_tier_migration_YYYYMMDD_HHMMSS.{dump,manifest.json} and models_before_migration_YYYYMMDD.csv,\neach under a temporary name first; never replaces an existing file (a taken name gets a _2, _3... suffix).',
        examples: [
          'tierctl backup --dir /var/backups/tierctl',
          'tierctl backup --dir . --pg-dump /usr/lib/postgresql/17/bin/pg_dump --json',
          'tierctl backup verify backup_before_tier_migration_20251108_120000.manifest.json',
        ],
        exits: [
          [0, 'backup written and verified'],
          [1, 'dump or verification failed (disk full included; nothing left under a final name)'],
          [2, 'usage: a directory that is missing or takes no new files, pg_dump missing or too old'],
          [3, 'database unreachable'],
        ],
      }),
    )
    .action((opts: BackupFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./backup-action.js')).backupAction(ctx, opts)));
  backup
    .command('verify <manifest>')
    .description('re-check a backup: files present, sizes and SHA-256 as in the manifest, pg_restore --list still reads the dump')
    .option('--pg-restore <path>', 'pg_restore to use (default: the one on PATH)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        examples: [
          'tierctl backup verify backup_before_tier_migration_20251108_120000.manifest.json',
          'tierctl backup verify /var/backups/tierctl/backup_before_tier_migration_20251108_120000.manifest.json --json',
        ],
        exits: [
          [0, 'the backup matches its manifest'],
          [2, 'manifest unreadable, or pg_restore missing or too old'],
          [4, 'anything differs (tampered or corrupt: do not restore it)'],
        ],
      }),
    )
    .action((manifest: string, opts: BackupVerifyFlags) =>
      runAction(Boolean(opts.json), async (ctx) => (await import('./backup-action.js')).backupVerifyAction(ctx, manifest, opts)),
    );
}
