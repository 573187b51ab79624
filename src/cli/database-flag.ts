import type { Command } from 'commander';

/**
 * Adds `--database-url <url>` (falls back to DATABASE_URL, then .env). Kept apart from
 * resolveDatabaseUrl (database-option.ts), which needs zod: command registration runs for
 * `tierctl --help`, and importing zod there costs ~75 ms of a ~130 ms start.
 */
export function databaseOption(command: Command): Command {
  return command.option('--database-url <url>', 'PostgreSQL connection URL (env DATABASE_URL)');
}
