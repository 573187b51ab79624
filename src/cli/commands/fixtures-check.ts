import type { Command } from 'commander';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export function registerFixturesCheck(program: Command): void {
  fixturesOption(program.command('fixtures'))
    .description('validate the fixture files (tier assignments, test users, sandbox catalog) and lint the tier policies')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        examples: [
          'tierctl fixtures',
          'tierctl fixtures --fixtures ./my-fixtures --json',
        ],
        exits: [
          [0, 'every file is valid and every policy coherent'],
          [2, 'a file is invalid or a policy incoherent (file, JSON path and problem named)'],
        ],
      }),
    )
    .action((opts: { fixtures?: string; json?: boolean }) =>
      runAction(Boolean(opts.json), async (ctx) => (await import('./fixtures-check-action.js')).fixturesCheckAction(ctx, opts)),
    );
}
