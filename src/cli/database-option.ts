import type { Command } from 'commander';
import { resolveConfig } from '../shared/config.js';
import { unwrap } from '../shared/failure.js';
import { databaseUrl } from '../shared/settings.js';
import type { CliContext } from './context.js';

/** Adds `--database-url <url>` (falls back to DATABASE_URL, then .env). */
export function databaseOption(command: Command): Command {
  return command.option('--database-url <url>', 'PostgreSQL connection URL (env DATABASE_URL)');
}

/** The database URL from flags > environment > .env, or a usage error (exit 2). */
export function resolveDatabaseUrl(ctx: CliContext, flags: { databaseUrl?: string }): string {
  return unwrap(resolveConfig({ databaseUrl }, ctx.sources(flags))).databaseUrl;
}
