/**
 * Runs the API until `signal` aborts: checks the database (unreachable: exit 3), listens,
 * then on abort closes gracefully (stop accepting, finish in-flight requests, write the
 * queued api_logs rows, close the pool). If `hurry` aborts meanwhile (a second signal): one
 * last api_logs write of at most a second, the rows abandoned counted in the log, and an
 * `interrupted` failure (exit 130) without waiting for the rest; the caller then exits.
 * Logs are pino JSON on `destination` (stdout by default).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { connectClient } from '../db/pg-connect.js';
import { missingApiTables, missingApiTablesFailure } from '../db/missing-api-tables.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { redactUrl } from '../shared/redact-url.js';
import type { AppOptions } from './app-options.js';
import { cachedIsoTime, createLogDestination } from './log-destination.js';
import { buildApp } from './app.js';
import { configuredProviders } from './providers/configured-providers.js';
import type { ServerConfig } from './server-config.js';

/**
 * Never logged. Exact paths only: the server never hands these to a log call, this is the
 * safety net, and wildcard paths made redaction 13% of a request's CPU time.
 */
export const REDACTED_PATHS = ['password', 'token', 'access_token', 'authorization', 'apiKey', 'jwtSecret', 'headers.authorization', 'req.headers.authorization'];

/**
 * The server's pino logger: JSON lines, secrets redacted, ISO timestamps. Without a
 * destination it writes to stdout, batched per event-loop turn (log-destination.ts);
 * `flushLogger` before exiting.
 */
export function createServerLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'tierctl-server' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: cachedIsoTime() };
  return pino(options, destination ?? createLogDestination(1));
}

/** Waits until every buffered log line is written. */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}

export interface RunServerDeps {
  /** Aborted on SIGTERM/SIGINT: the server closes gracefully and runServer resolves. */
  readonly signal: AbortSignal;
  /** Aborted on a second SIGTERM/SIGINT: stop waiting (see above). */
  readonly hurry?: AbortSignal;
  readonly destination?: DestinationStream;
  /** Extra app options (providers, change listener) wired by the caller. */
  readonly app?: Partial<AppOptions>;
  /** Called once listening, with the bound port. */
  readonly onListening?: (port: number) => void;
}

export async function runServer(config: ServerConfig, deps: RunServerDeps): Promise<Result<void>> {
  const log = createServerLogger(config.logLevel, deps.destination);
  const probe = await connectClient(config.database.url, { applicationName: 'tierctl-server' });
  if (!probe.ok) {
    log.error({ database: config.database.redacted, code: probe.failure.code }, 'Database connection failed');
    await flushLogger(log);
    return probe;
  }
  const missing = await missingApiTables(probe.value, config.database.schema).catch(() => []);
  await probe.value.end().catch(() => {});
  if (missing.length > 0) {
    const f = missingApiTablesFailure(config.database.redacted, config.database.schema, missing);
    log.error({ database: config.database.redacted, missing }, f.message);
    await flushLogger(log);
    return err(f);
  }
  log.info({ database: config.database.redacted, ...(config.database.redactedDirect ? { direct: config.database.redactedDirect } : {}), schema: config.database.schema }, 'Database connected successfully');
  if (!config.enforceTiers) log.warn('ENABLE_TIER_ENFORCEMENT=false: shadow mode, would-be denials are logged and counted but allowed');
  if (config.openaiCompatibleBaseUrl) {
    log.info({ upstream: redactUrl(config.openaiCompatibleBaseUrl), withApiKey: Boolean(config.openaiCompatibleApiKey), timeoutMs: config.openaiCompatibleTimeoutMs }, 'Provider openai-compatible configured');
  }
  const app = await buildApp({
    database: config.database,
    jwt: { secret: config.jwtSecret, issuer: config.jwtIssuer, audience: config.jwtAudience, ttlSeconds: config.jwtTtlSeconds },
    enforceTiers: config.enforceTiers,
    logger: log,
    apiLogs: { maxQueued: config.apiLogsMaxQueued },
    defaultMetrics: true,
    ...(deps.app?.providers ? {} : { providers: configuredProviders(config) }),
    ...deps.app,
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close().catch(() => {});
    await flushLogger(log);
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown';
    return err(failure('listen_failed', `Cannot listen on ${config.host}:${config.port}: ${code}`, code === 'EADDRINUSE' || code === 'EACCES' ? ExitCode.usage : ExitCode.failed));
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ port, host: config.host, enforceTiers: config.enforceTiers }, `Server started on port ${port}`);
  deps.onListening?.(port);
  await new Promise<void>((resolve) => {
    if (deps.signal.aborted) resolve();
    else deps.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info('Shutting down: no new connections, finishing in-flight requests');
  const closed = app.close().then(() => 'closed' as const);
  if ((await Promise.race([closed, aborted(deps.hurry)])) === 'hurry') {
    log.warn(`Second signal: one last api_logs write (at most ${HURRY_MS} ms), then exit without waiting for in-flight requests`);
    const logs = await app.apiLogs.hurry(HURRY_MS);
    await flushLogger(log);
    const unknown = logs.commitUnknown > 0 ? ` (and ${logs.commitUnknown} whose last write's outcome is unknown)` : '';
    return err(failure('interrupted', `Stopped by a second signal: ${logs.abandoned} api_logs rows abandoned${unknown}`, ExitCode.interrupted));
  }
  log.info({ apiLogs: app.apiLogs.counts() }, 'Server stopped (api_logs written or counted, database pool closed)');
  await flushLogger(log);
  return ok(undefined);
}

/** How long the last api_logs write may take after a second signal. */
export const HURRY_MS = 1_000;

const aborted = (signal: AbortSignal | undefined) =>
  new Promise<'hurry'>((resolve) => {
    if (signal?.aborted) resolve('hurry');
    else signal?.addEventListener('abort', () => resolve('hurry'), { once: true });
  });
