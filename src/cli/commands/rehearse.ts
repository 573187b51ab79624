import type { Command } from 'commander';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { migrationsDirOption } from '../migrations-dir-option.js';
import { runAction } from '../run-action.js';

export interface RehearseFlags {
  sandboxUrl?: string;
  adminUrl?: string;
  fromBackup?: string;
  /** A URL, or true: `--from-database` alone means DATABASE_URL. */
  fromDatabase?: string | boolean;
  report?: string;
  fixtures?: string;
  evidenceDir?: string;
  passwordEnv?: string;
  pgDump?: string;
  pgRestore?: string;
  migrationsDir?: string;
  yes?: boolean;
  json?: boolean;
}

export function registerRehearse(program: Command): void {
  migrationsDirOption(fixturesOption(program.command('rehearse')))
    .description(
      'the whole runbook on a throwaway database, then everything it created is dropped: a sandbox with the sandbox catalog, or a copy of production (--from-backup / --from-database) with findings on its real data; deploy with seed, test users and the eight checks, a rollback drill, re-apply, the checks again',
    )
    .option('--from-backup <manifest>', 'rehearse on a copy restored from this tierctl backup (verified first: checksums, pg_restore --list)')
    .option('--from-database [url]', "rehearse on a copy of this live database, taken with pg_dump (read only; default DATABASE_URL, dumped through DIRECT_URL when set)")
    .option('--sandbox-url <url>', 'PostgreSQL server to create the sandbox on, e.g. a staging server (env TIERCTL_SANDBOX_URL; default postgresql://postgres@127.0.0.1:5432/postgres)')
    .option('--admin-url <url>', 'the same as --sandbox-url (older name; env TIERCTL_ADMIN_URL)')
    .option('--report <file.html>', 'write the rehearsal as one self-contained HTML page (timeline, lock times, checks with evidence, affected subscribers, the rollback\'s would-be loss)')
    .option('--evidence-dir <dir>', "keep the evidence (the rehearsal's JSON, the deploy's JSON + JUnit) in this directory")
    .option('--password-env <var>', "test users' password from this variable (default TIERCTL_TEST_PASSWORD, else the guide's)")
    .option('--pg-dump <path>', 'pg_dump to use (default: the one on PATH; pg_restore is taken from beside it; its major must be >= the source server\'s)')
    .option('--pg-restore <path>', 'pg_restore to use (default: beside --pg-dump, else the newest installed)')
    .option('-y, --yes', 'accepted for uniformity: rehearse asks nothing (it changes only what it creates)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'The first command to run after `npm ci`.',
        examples: [
          'tierctl rehearse',
          'tierctl rehearse --from-backup backups/backup_before_tier_migration_20251108_120000.manifest.json --report rehearsal.html',
          'tierctl rehearse --from-database --sandbox-url postgresql://postgres@staging-db:5432/postgres --json',
        ],
        exits: [
          [0, 'the rehearsal passed'],
          [1, 'a phase failed or a finding blocks the deployment'],
          [2, 'usage or configuration error'],
          [3, 'PostgreSQL unreachable'],
          [130, 'interrupted (cleaned up all the same)'],
        ],
      }),
    )
    .action((opts: RehearseFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./rehearse-action.js')).rehearseAction(ctx, opts)));
}
