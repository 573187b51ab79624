/**
 * The server's configuration, from flags > environment > .env, every problem reported
 * together (exit 2). A missing JWT_SECRET, or one shorter than 32 bytes, is refused.
 */
import { z } from 'zod';
import { resolveConfig, type ConfigSources, type Setting } from '../shared/config.js';
import { databaseTarget, type DatabaseTarget } from '../shared/database-target.js';
import type { Result } from '../shared/failure.js';
import { boolean, databaseUrl, directUrl, httpUrl, port, positiveInt } from '../shared/settings.js';
import { optional } from '../shared/value-schema.js';
import { DEFAULT_API_LOGS_MAX_QUEUED } from './api-log-writer.js';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER, MIN_JWT_SECRET_BYTES } from './app-options.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from './providers/openai-compatible.js';

const secret = z.string().refine((v) => Buffer.byteLength(v, 'utf8') >= MIN_JWT_SECRET_BYTES, `must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const serverSettings = {
  databaseUrl,
  directUrl,
  port: { flag: 'port', env: 'PORT', schema: port, fallback: 3000 } satisfies Setting<number>,
  host: { flag: 'host', env: 'HOST', schema: z.string().min(1), fallback: '127.0.0.1' } satisfies Setting<string>,
  jwtSecret: { env: 'JWT_SECRET', schema: secret, secret: true } satisfies Setting<string>,
  jwtIssuer: { env: 'JWT_ISSUER', schema: z.string().min(1), fallback: DEFAULT_JWT_ISSUER } satisfies Setting<string>,
  jwtAudience: { env: 'JWT_AUDIENCE', schema: z.string().min(1), fallback: DEFAULT_JWT_AUDIENCE } satisfies Setting<string>,
  jwtTtlSeconds: { env: 'JWT_TTL_SECONDS', schema: positiveInt, fallback: 3600 } satisfies Setting<number>,
  enforceTiers: { env: 'ENABLE_TIER_ENFORCEMENT', schema: boolean, fallback: true } satisfies Setting<boolean>,
  logLevel: { env: 'LOG_LEVEL', schema: logLevel, fallback: 'info' } satisfies Setting<z.infer<typeof logLevel>>,
  logFile: { flag: 'logFile', env: 'LOG_FILE', schema: optional(z.string().min(1, 'must be a file path')), fallback: undefined } satisfies Setting<string | undefined>,
  openaiCompatibleBaseUrl: { env: 'OPENAI_COMPATIBLE_BASE_URL', schema: optional(httpUrl), fallback: undefined } satisfies Setting<string | undefined>,
  openaiCompatibleApiKey: { env: 'OPENAI_COMPATIBLE_API_KEY', schema: z.string().min(1).optional(), fallback: undefined, secret: true } satisfies Setting<string | undefined>,
  openaiCompatibleTimeoutMs: { env: 'OPENAI_COMPATIBLE_TIMEOUT_MS', schema: positiveInt, fallback: DEFAULT_UPSTREAM_TIMEOUT_MS } satisfies Setting<number>,
  apiLogsMaxQueued: { env: 'API_LOGS_MAX_QUEUED', schema: positiveInt, fallback: DEFAULT_API_LOGS_MAX_QUEUED } satisfies Setting<number>,
};

export type ServerConfig = {
  /** DATABASE_URL for the requests, DIRECT_URL (when set) for LISTEN, and the schema of every query. */
  readonly database: DatabaseTarget;
  readonly port: number;
  readonly host: string;
  readonly jwtSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwtTtlSeconds: number;
  readonly enforceTiers: boolean;
  readonly logLevel: z.infer<typeof logLevel>;
  /** Log lines appended to this file (created with its directories) instead of stdout. */
  readonly logFile?: string | undefined;
  /** Models whose provider is `openai-compatible` go here; unset: they answer 502 provider_not_configured. */
  readonly openaiCompatibleBaseUrl?: string | undefined;
  readonly openaiCompatibleApiKey?: string | undefined;
  readonly openaiCompatibleTimeoutMs: number;
  /** api_logs rows held while the database is unreachable; beyond it the oldest waiting are dropped, counted. */
  readonly apiLogsMaxQueued: number;
};

export function resolveServerConfig(sources: ConfigSources): Result<ServerConfig> {
  const resolved = resolveConfig(serverSettings, sources);
  if (!resolved.ok) return resolved;
  const { databaseUrl: url, directUrl: direct, ...rest } = resolved.value;
  const database = databaseTarget(url, direct === undefined ? null : { url: direct, source: sources.flags.directUrl !== undefined ? '--direct-url' : 'DIRECT_URL' });
  if (!database.ok) return database;
  return { ok: true, value: { ...rest, database: database.value } as ServerConfig };
}
