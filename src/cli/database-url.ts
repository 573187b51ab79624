import { resolveConfig } from '../shared/config.js';
import { unwrap } from '../shared/failure.js';
import { databaseUrl } from '../shared/settings.js';
import type { CliContext } from './context.js';

/** The database URL from flags > environment > .env, or a usage error (exit 2). Import from actions only. */
export function resolveDatabaseUrl(ctx: CliContext, flags: { databaseUrl?: string }): string {
  return unwrap(resolveConfig({ databaseUrl }, ctx.sources(flags))).databaseUrl;
}
