import type { Command } from 'commander';

/**
 * Adds `--database-url <url>` (falls back to DATABASE_URL, then .env). Resolving it lives in
 * database-url.ts: this file is imported when the command tree is built, so it must not
 * load zod (that alone made `tierctl --help` 2.6x `node -e 0`).
 */
export function databaseOption(command: Command): Command {
  return command.option('--database-url <url>', 'PostgreSQL connection URL (env DATABASE_URL)');
}
