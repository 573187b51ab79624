import type { Setting } from './config.js';
import { booleanValue, check, durationIn, numberIn, optional, urlOf } from './value-schema.js';

/** The settings commands share, each with its flag and environment variable (no zod: see value-schema). */

const postgresScheme = urlOf(['postgres:', 'postgresql:'], 'expected a postgres:// or postgresql:// URL');
/**
 * A PostgreSQL URL that names its server: a host, or a Unix socket directory (`?host=/run/postgresql`).
 * `postgres://` alone made the driver try localhost as the OS user: a typo, reported as one.
 */
const postgresUrl = check<string>((raw) => {
  const scheme = postgresScheme.safeParse(raw);
  if (!scheme.success) return scheme.error.issues[0]!.message;
  const u = new URL(scheme.data);
  return u.hostname !== '' || u.searchParams.get('host') ? { value: scheme.data } : 'the URL names no host (expected e.g. postgresql://user@db.example.com:5432/app)';
});
const httpUrl = urlOf(['http:', 'https:'], 'expected an http:// or https:// URL');

export const databaseUrl: Setting<string> = { flag: 'databaseUrl', env: 'DATABASE_URL', schema: postgresUrl, secret: true };
export const optionalDatabaseUrl: Setting<string | undefined> = { ...databaseUrl, schema: optional(postgresUrl), fallback: undefined };
/** Prisma's `directUrl`: a session connection (not through a pooler) for migrations, locks, dumps, LISTEN. */
export const directUrl: Setting<string | undefined> = { flag: 'directUrl', env: 'DIRECT_URL', schema: optional(postgresUrl), fallback: undefined, secret: true };
export const apiUrl: Setting<string> = { flag: 'apiUrl', env: 'API_URL', schema: httpUrl };

export const boolean = booleanValue;
export const port = numberIn({ integer: true, min: 0, max: 65535 });
export const positiveInt = numberIn({ integer: true, above: 0 });
export const nonNegativeNumber = numberIn({ min: 0 });
export { postgresUrl, httpUrl };
export const optionalApiUrl: Setting<string | undefined> = { ...apiUrl, schema: optional(httpUrl), fallback: undefined };

/**
 * A duration flag in milliseconds (`500ms`, `5s`, `2m`, `1h`; a bare number is seconds, for
 * every flag). Its default comes from commander. `positive`: 0 is refused (a lock_timeout of
 * 0 would mean waiting forever, an HTTP timeout of 0 would never answer).
 */
export const durationFlag = (flag: string, positive: boolean): Setting<number> => ({ flag, schema: durationIn(positive ? { above: 0 } : { min: 0 }) });
export const optionalDurationFlag = (flag: string, positive: boolean): Setting<number | undefined> => ({ flag, schema: optional(durationIn(positive ? { above: 0 } : { min: 0 })), fallback: undefined });
