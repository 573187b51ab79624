import type { Command } from 'commander';
import { fixturesOption } from '../fixtures-option.js';
import { runAction } from '../run-action.js';

export interface RehearseFlags {
  adminUrl?: string;
  fixtures?: string;
  evidenceDir?: string;
  passwordEnv?: string;
  yes?: boolean;
  json?: boolean;
}

export function registerRehearse(program: Command): void {
  fixturesOption(program.command('rehearse'))
    .description(
      'the whole runbook on a throwaway database: sandbox at the baseline, the backend started in-process, deploy with seed and test users and the eight checks, a rollback drill (rollback, its verification, re-apply, the checks again); then everything it created is dropped',
    )
    .option('--admin-url <url>', 'PostgreSQL server to create the sandbox database on (env TIERCTL_ADMIN_URL; default postgresql://postgres@127.0.0.1:5432/postgres)')
    .option('--evidence-dir <dir>', "keep the deploy's evidence bundle (JSON + JUnit) in this directory")
    .option('--password-env <var>', "test users' password from this variable (default TIERCTL_TEST_PASSWORD, else the guide's)")
    .option('-y, --yes', 'accepted for uniformity: rehearse asks nothing (it touches only what it creates)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nThe first command to run after `npm ci`. Exit 0 rehearsal passed, 1 a phase failed, 2 usage, 3 PostgreSQL unreachable, 130 interrupted (cleaned up all the same).')
    .action((opts: RehearseFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./rehearse-action.js')).rehearseAction(ctx, opts)));
}
