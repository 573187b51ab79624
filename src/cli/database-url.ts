import { resolveConfig } from '../shared/config.js';
import { databaseTarget, type DatabaseTarget } from '../shared/database-target.js';
import { unwrap, type Result } from '../shared/failure.js';
import { databaseUrl, directUrl } from '../shared/settings.js';
import type { CliContext } from './context.js';
import { prismaConfigDirectUrl } from './prisma-config.js';

export interface DatabaseFlags {
  readonly databaseUrl?: string;
  readonly directUrl?: string;
}

/**
 * The target for `url`: its direct URL from `--direct-url` > `DIRECT_URL` > `.env` > the
 * project's `prisma.config.ts` (`datasource.directUrl`), when one is set.
 */
export async function targetFor(ctx: CliContext, flags: DatabaseFlags, url: string, direct: string | undefined): Promise<Result<DatabaseTarget>> {
  if (direct !== undefined) return databaseTarget(url, { url: direct, source: flags.directUrl !== undefined ? '--direct-url' : 'DIRECT_URL' });
  const fromPrisma = await prismaConfigDirectUrl(ctx.cwd);
  if (!fromPrisma.ok) return fromPrisma;
  return databaseTarget(url, fromPrisma.value && { url: fromPrisma.value.url, source: `${fromPrisma.value.file} (datasource.directUrl)` });
}

/**
 * The database a command works on, resolved once: DATABASE_URL (flags > environment > .env)
 * and its direct URL; a problem with either is a usage error (exit 2). Import from actions only.
 */
export async function resolveDatabaseTarget(ctx: CliContext, flags: DatabaseFlags): Promise<DatabaseTarget> {
  const cfg = unwrap(resolveConfig({ databaseUrl, directUrl }, ctx.sources({ ...flags })));
  return unwrap(await targetFor(ctx, flags, cfg.databaseUrl, cfg.directUrl));
}
