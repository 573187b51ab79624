import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface AccessExplainFlags {
  databaseUrl?: string;
  directUrl?: string;
  user: string;
  model: string;
  json?: boolean;
}

export function registerAccess(program: Command): void {
  const access = program
    .command('access')
    .description('answer support questions about who may use which model')
    .addHelpText('after', helpSections({ examples: ['tierctl access explain --user pro@example.com --model gpt-5'] }));
  databaseOption(access.command('explain'))
    .description("why a user may or may not use a model: their subscriptions and effective tier, the model's policy, the decision and the exact response the API would send")
    .requiredOption('--user <email>', "the user's email (exact match, as login does)")
    .requiredOption('--model <id>', 'the model id (exact match, as the API does)')
    .option('--json', 'print the explanation as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'Reads only.',
        examples: [
          'tierctl access explain --user pro@example.com --model gpt-5',
          'tierctl access explain --user free@example.com --model claude-3.5-sonnet --json',
        ],
        exits: [
          [0, 'explained (allowed or denied)'],
          [1, 'no such user'],
          [2, "usage or configuration error (a database or ?schema= without the API's users, subscriptions or models table)"],
          [3, 'database unreachable'],
        ],
      }),
    )
    .action((opts: AccessExplainFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./access-action.js')).accessExplainAction(ctx, opts)));
}
