import { z } from 'zod';
import type { Setting } from './config.js';

/** The settings commands share, each with its flag and environment variable. */

/** A URL whose scheme is one of `protocols` (e.g. `postgres:`). */
const urlOf = (protocols: readonly string[], message: string) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, message);

const postgresUrl = urlOf(['postgres:', 'postgresql:'], 'must be a postgres:// or postgresql:// URL');
const httpUrl = urlOf(['http:', 'https:'], 'must be an http:// or https:// URL');

export const databaseUrl: Setting<string> = { flag: 'databaseUrl', env: 'DATABASE_URL', schema: postgresUrl, secret: true };
export const optionalDatabaseUrl: Setting<string | undefined> = { ...databaseUrl, schema: postgresUrl.optional(), fallback: undefined };
/** Prisma's `directUrl`: a session connection (not through a pooler) for migrations, locks, dumps, LISTEN. */
export const directUrl: Setting<string | undefined> = { flag: 'directUrl', env: 'DIRECT_URL', schema: postgresUrl.optional(), fallback: undefined, secret: true };
export const apiUrl: Setting<string> = { flag: 'apiUrl', env: 'API_URL', schema: httpUrl };

export const boolean = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))]);
export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeNumber = z.coerce.number().min(0);
export { postgresUrl, httpUrl };
export const optionalApiUrl: Setting<string | undefined> = { ...apiUrl, schema: httpUrl.optional(), fallback: undefined };
