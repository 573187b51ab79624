import { Option, type Command } from 'commander';
import { databaseOption } from '../../database-option.js';
import { durationOption } from '../../duration-flag.js';
import { migrationsDirOption } from '../../migrations-dir-option.js';

/*
 * What `tierctl migrate` registers: imported for `tierctl --help`, so nothing heavy here
 * (the settings are read in migrate-options.ts, inside the actions).
 */

/** Flags every `tierctl migrate` subcommand shares. */
export interface MigrateFlags {
  readonly databaseUrl?: string;
  readonly directUrl?: string;
  readonly migrationsDir?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly lockTimeout?: string;
  readonly retries?: string;
  readonly wait?: string;
}

export function commonOptions(command: Command): Command {
  return migrationsDirOption(databaseOption(command)).option('--json', 'print the result as JSON');
}

/** --wait, and for commands that run SQL against tables, --lock-timeout and --retries. */
export function lockOptions(command: Command, withLockTimeout: boolean): Command {
  command.addOption(durationOption('--wait <duration>', 'how long to wait for the migration advisory lock (another tierctl or prisma migrate deploy)', '10s'));
  if (!withLockTimeout) return command;
  return command
    .addOption(durationOption('--lock-timeout <duration>', 'SET LOCAL lock_timeout for each transaction: how long a statement may wait for its table lock', '5s'))
    .addOption(new Option('--retries <n>', 'further attempts after a lock timeout, with back-off').default('3'));
}

