import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { fixturesOption } from '../fixtures-option.js';
import { helpSections } from '../help.js';
import { runAction } from '../run-action.js';

export interface SeedFlags {
  databaseUrl?: string;
  directUrl?: string;
  fixtures?: string;
  catalog?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

export function registerSeed(program: Command): void {
  fixturesOption(databaseOption(program.command('seed')))
    .description("the guide's step 6: set the tier fields (only those) of the models in tier-assignments.json, in one transaction")
    .option('--catalog', 'first insert the sandbox model catalog from the fixtures (existing models are left alone)')
    .option('--dry-run', 'show the before -> after without changing anything (runs and rolls back)')
    .option('-y, --yes', 'do not ask for confirmation (existing tier assignments are overwritten)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      helpSections({
        examples: [
          'tierctl seed --dry-run',
          'tierctl seed --yes',
          'tierctl seed --catalog --fixtures ./fixtures --yes --json',
        ],
        exits: [
          [0, 'seeded (or nothing to change)'],
          [1, 'a listed model does not exist (use --catalog), or the tier columns are missing (run tierctl migrate apply first)'],
          [2, "invalid or incoherent assignments, usage; a database (or ?schema=) without the API's models table (named)"],
          [3, 'unreachable'],
          [4, 'not confirmed'],
        ],
      }),
    )
    .action((opts: SeedFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./seed-action.js')).seedAction(ctx, opts)));
}
