import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface UsersCreateFlags {
  databaseUrl?: string;
  directUrl?: string;
  fixtures?: string;
  passwordEnv?: string;
  remove?: boolean;
  yes?: boolean;
  json?: boolean;
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description("the guide's test users (free@, pro@, enterprise@example.com)")
    .addHelpText('after', helpSections({ examples: ['tierctl users create', 'tierctl users create --remove --yes'] }));
  fixturesOption(databaseOption(users.command('create')))
    .description('create the test users with bcrypt hashes and active subscriptions; idempotent')
    .option('--password-env <var>', "take the password from this environment variable (default: TIERCTL_TEST_PASSWORD, else the guide's Password123!)")
    .option('--remove', 'delete exactly these test users (and their subscriptions) instead')
    .option('-y, --yes', 'do not ask for confirmation (--remove)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'The password is never printed.',
        examples: [
          'tierctl users create',
          'TIERCTL_TEST_PASSWORD=... tierctl users create --json',
          'tierctl users create --remove --yes',
        ],
        exits: [
          [0, 'ok (a second run reports "unchanged")'],
          [2, "usage or configuration error; a database (or ?schema=) without the API's users and subscriptions tables (named)"],
          [3, 'unreachable'],
          [4, '--remove not confirmed'],
        ],
      }),
    )
    .action((opts: UsersCreateFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./users-action.js')).usersCreateAction(ctx, opts)));
}
