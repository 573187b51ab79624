import type { Command } from 'commander';
import { packagePath } from '../shared/package-root.js';
import type { CliContext } from './context.js';
import { dirSetting } from './dir-setting.js';

/** Adds `--fixtures <dir>` (falls back to TIERCTL_FIXTURES, then the package's fixtures/). */
export function fixturesOption(command: Command): Command {
  return command.option('--fixtures <dir>', "fixtures directory (env TIERCTL_FIXTURES; default: the package's fixtures/)");
}

/** The fixtures directory from --fixtures > TIERCTL_FIXTURES > .env > the package's fixtures/. */
export function resolveFixturesDir(ctx: CliContext, flags: { fixtures?: string }): string {
  return dirSetting(ctx, flags.fixtures, 'TIERCTL_FIXTURES') ?? packagePath('fixtures');
}
