import type { Command } from 'commander';
import { packagePath } from '../shared/package-root.js';
import type { CliContext } from './context.js';

/** Adds `--fixtures <dir>` (falls back to TIERCTL_FIXTURES, then the package's fixtures/). */
export function fixturesOption(command: Command): Command {
  return command.option('--fixtures <dir>', "fixtures directory (env TIERCTL_FIXTURES; default: the package's fixtures/)");
}

/** The fixtures directory from --fixtures > TIERCTL_FIXTURES > the package's fixtures/ (no zod loaded here: --help stays fast). */
export function resolveFixturesDir(ctx: CliContext, flags: { fixtures?: string }): string {
  return flags.fixtures ?? (ctx.env.TIERCTL_FIXTURES || packagePath('fixtures'));
}
