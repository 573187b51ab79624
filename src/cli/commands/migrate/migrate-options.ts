import { resolveConfig } from '../../../shared/config.js';
import { unwrap } from '../../../shared/failure.js';
import { optionalDurationFlag } from '../../../shared/settings.js';
import { numberIn, optional } from '../../../shared/value-schema.js';
import type { CliContext } from '../../context.js';
import { confirmOrRefuse } from '../../confirm.js';
import { resolveDatabaseTarget } from '../../database-url.js';
import { cliReporter } from '../../reporter.js';
import { resolveMigrationsDir } from '../../migrations-dir-option.js';
import type { DatabaseTarget } from '../../../shared/database-target.js';
import type { MigrateFlags } from './migrate-flags.js';

export type { MigrateFlags };

const settings = {
  lockTimeoutMs: optionalDurationFlag('lockTimeout', true),
  waitMs: optionalDurationFlag('wait', false),
  retries: { flag: 'retries', schema: optional(numberIn({ integer: true, min: 0, max: 20 })), fallback: undefined },
};

/** The settings the runbook steps take, from the flags, the environment and .env; bad values are exit 2. */
export async function migrateSettings(ctx: CliContext, flags: MigrateFlags) {
  const { lockTimeoutMs, waitMs, retries } = unwrap(resolveConfig(settings, ctx.sources({ ...flags })));
  return {
    database: await resolveDatabaseTarget(ctx, flags),
    migrationsDir: resolveMigrationsDir(ctx, flags),
    lockTimeoutMs,
    waitMs,
    retries,
  };
}

/** A database on this machine (loopback or a Unix socket): applying there needs no confirmation. */
export function isLocalDatabase(target: DatabaseTarget): boolean {
  return [target.url, target.directUrl].every((url) => url === null || isLocalUrl(url));
}

function isLocalUrl(url: string): boolean {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const socket = u.searchParams.get('host');
  return ['', 'localhost', '127.0.0.1', '::1'].includes(host) && (!socket || socket.startsWith('/'));
}

/** Asks before writing to a database on another host; `--yes` skips it, no TTY refuses (exit 4). */
export function confirmIfRemote(ctx: CliContext, flags: MigrateFlags, target: DatabaseTarget) {
  return async (action: string, details: readonly string[]): Promise<void> => {
    if (isLocalDatabase(target)) return;
    await confirmOrRefuse(ctx, { yes: Boolean(flags.yes), action, details });
  };
}

/**
 * What a migrate command that writes starts with: its settings, and its runbook step's
 * reporter and signal. `confirm` asks before writing to a database on another host.
 */
export async function writingCommand(ctx: CliContext, flags: MigrateFlags) {
  const settings = await migrateSettings(ctx, flags);
  return { settings, deps: { reporter: await cliReporter(ctx), signal: ctx.signal }, confirm: confirmIfRemote(ctx, flags, settings.database) };
}
