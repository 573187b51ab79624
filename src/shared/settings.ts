import type { Setting } from './config.js';
import { booleanValue, numberIn, optional, urlOf } from './value-schema.js';

/** The settings commands share, each with its flag and environment variable (no zod: see value-schema). */

const postgresUrl = urlOf(['postgres:', 'postgresql:'], 'must be a postgres:// or postgresql:// URL');
const httpUrl = urlOf(['http:', 'https:'], 'must be an http:// or https:// URL');

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
