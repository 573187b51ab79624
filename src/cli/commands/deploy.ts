import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { migrationsDirOption } from '../migrations-dir-option.js';
import { runAction } from '../run-action.js';
import { hookOptions, type HookFlags } from './hook-flags.js';

export interface DeployFlags extends HookFlags {
  databaseUrl?: string;
  directUrl?: string;
  apiUrl?: string;
  backupDir: string;
  evidenceDir?: string;
  journal: string;
  fixtures?: string;
  migrationsDir?: string;
  pgDump?: string;
  seed?: boolean;
  testUsers?: boolean;
  passwordEnv?: string;
  autoRollback: boolean;
  resume?: boolean;
  lockTimeout: string;
  wait: string;
  timeout: string;
  yes?: boolean;
  json?: boolean;
}

export function registerDeploy(program: Command): void {
  hookOptions(migrationsDirOption(fixturesOption(databaseOption(program.command('deploy')))))
    .description("the guide's deployment, in order: preflight, verified backup, stop, migrate, migration verified, seed, test users, start, health and the eight checks; rolls back by itself if anything fails after the migration")
    .option('--api-url <url>', 'the API to check after the deployment (env API_URL)')
    .option('--backup-dir <dir>', 'where the backup, models CSV and manifest go', '.')
    .option('--evidence-dir <dir>', 'where the evidence bundle (JSON + JUnit) goes (default: --backup-dir)')
    .option('--journal <file>', 'the deploy journal (what --resume continues from)', '.tierctl/deploy-journal.json')
    .option('--pg-dump <path>', 'pg_dump to use (default: the one on PATH)')
    .option('--seed', "set the tier assignments from tier-assignments.json (the guide's step 6)")
    .option('--test-users', "create the guide's test users (needed by the checks that log in)")
    .option('--password-env <var>', "the test users' password, to create them (--test-users) and to log in as them in the checks: from this variable (default TIERCTL_TEST_PASSWORD, else the guide's)")
    .option('--no-auto-rollback', 'after a failure past the migration, leave the database as it is for inspection')
    .option('--resume', 'continue the unfinished deployment recorded in the journal')
    .addOption(durationOption('--lock-timeout <duration>', 'how long the migration may wait for its lock on models', '5s'))
    .addOption(durationOption('--wait <duration>', 'how long to wait for /health after the start', '30s'))
    .addOption(durationOption('--timeout <duration>', 'timeout of each HTTP request of the checks', '5s'))
    .option('-y, --yes', 'do not ask for confirmation (a database on another host)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'The journal records each phase, so an interrupted deployment continues with --resume.',
        examples: [
          'tierctl deploy --api-url http://localhost:3000 --seed --test-users',
          "tierctl deploy --api-url http://localhost:3000 --seed --stop-cmd 'systemctl stop api' --start-cmd 'systemctl start api' --yes",
          'tierctl deploy --api-url http://localhost:3000 --resume',
        ],
        exits: [
          [0, 'deployed, and every check passed'],
          [1, 'a phase or a check failed (the output says what was rolled back and what state the database and service are in)'],
          [2, 'usage or configuration error'],
          [3, 'database or API unreachable'],
          [4, 'refused (no confirmation, an unfinished journal)'],
          [130, 'interrupted (resume with --resume)'],
        ],
      }),
    )
    .action((opts: DeployFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./deploy-action.js')).deployAction(ctx, opts)));
}
