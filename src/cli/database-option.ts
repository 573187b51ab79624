import type { Command } from 'commander';

/**
 * Adds `--database-url <url>` (falls back to DATABASE_URL, then .env) and `--direct-url <url>`
 * (DIRECT_URL, then prisma.config.ts's `datasource.directUrl`). Resolving it lives in
 * database-url.ts: this file is imported when the command tree is built, so it must not
 * load zod (that alone made `tierctl --help` 2.6x `node -e 0`).
 */
export function databaseOption(command: Command): Command {
  return command
    .option('--database-url <url>', 'PostgreSQL connection URL, may go through a pooler; ?schema= picks the schema (env DATABASE_URL)')
    .option('--direct-url <url>', 'session connection, not through a pooler: migrations, locks, backup/restore, LISTEN (env DIRECT_URL; default: prisma.config.ts datasource.directUrl)');
}
