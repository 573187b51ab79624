import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { dirSetting } from './dir-setting.js';

/**
 * Adds `--migrations-dir <dir>` to every command that reads the migrations (migrate, preflight,
 * deploy, rollback, rehearse): they all take it from the same place.
 */
export function migrationsDirOption(command: Command): Command {
  return command.option('--migrations-dir <dir>', "migrations directory (env TIERCTL_MIGRATIONS_DIR; default: the package's prisma/migrations)");
}

/** The migrations directory from --migrations-dir > TIERCTL_MIGRATIONS_DIR > .env; undefined: the package's own. */
export function resolveMigrationsDir(ctx: CliContext, flags: { migrationsDir?: string }): string | undefined {
  return dirSetting(ctx, flags.migrationsDir, 'TIERCTL_MIGRATIONS_DIR');
}
