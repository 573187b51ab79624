import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface VerifyFlags {
  apiUrl?: string;
  databaseUrl?: string;
  directUrl?: string;
  fixtures?: string;
  json?: boolean;
  junit?: string;
  only?: string;
  skip?: string;
  wait: string;
  timeout: string;
  passwordEnv?: string;
}

export function registerVerify(program: Command): void {
  fixturesOption(databaseOption(program.command('verify')))
    .description("the guide's health check (step 9) and its eight post-deployment tests against an API: a deployment gate for people and CI")
    .option('--api-url <url>', 'the API to check (env API_URL)')
    .option('--json', 'print the machine result (every check with result, duration and evidence)')
    .option('--junit <file>', 'also write JUnit XML (one testcase per check) for CI')
    .option('--only <list>', 'run only these checks, e.g. 2,3,7')
    .option('--skip <list>', 'skip these checks, e.g. 1')
    .addOption(durationOption('--wait <duration>', 'how long to retry /health before giving up (exit 3)', '30s'))
    .addOption(durationOption('--timeout <duration>', 'timeout of each HTTP request', '5s'))
    .option('--password-env <var>', "test users' password from this variable (default TIERCTL_TEST_PASSWORD, else the guide's)")
    .addHelpText(
      'after',
      helpSections({
        notes: 'Test 1 reads the database and needs --database-url (or DATABASE_URL); without it, it is skipped, never passed.\nExpectations come from tier-assignments.json through the tier library: edit the fixtures, and verify expects that.',
        examples: [
          'tierctl verify --api-url http://localhost:3000',
          'tierctl verify --api-url https://api.example.com --json --junit verify.xml',
          'tierctl verify --api-url http://localhost:3000 --only 2,3,7 --wait 2m',
        ],
        exits: [
          [0, 'every check run passed'],
          [1, 'a check failed'],
          [2, 'usage or configuration error'],
          [3, 'the API was not healthy within --wait'],
        ],
      }),
    )
    .action((opts: VerifyFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./verify-action.js')).verifyAction(ctx, opts)));
}
