import pg from 'pg';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../shared/failure.js';
import { redactUrl } from '../shared/redact-url.js';

export const APPLICATION_NAME = 'tierctl';

// ENOENT: a Unix socket (`?host=/run/postgresql`) that is not there.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ENOENT']);

function target(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || '(default)'}`;
  } catch {
    return redactUrl(url);
  }
}

/**
 * Turns a connection error into a Failure that names the host and port (never the
 * password). Returns null for errors that are not about reaching the database.
 */
export function connectionFailure(url: string, error: unknown): Failure | null {
  const e = error as { code?: string; message?: string };
  const where = target(url);
  if (e.code && UNREACHABLE.has(e.code)) {
    return failure('database_unreachable', `Cannot reach PostgreSQL at ${where}: ${e.code}`, ExitCode.unreachable, {
      hint: 'Check the host and port in --database-url / DATABASE_URL, and that the server is running.',
    });
  }
  if (e.code === '28P01' || e.code === '28000') {
    return failure('database_auth_failed', `PostgreSQL at ${where} refused the credentials (${e.code})`, ExitCode.unreachable, {
      hint: 'Check the user name and password in the database URL.',
    });
  }
  if (e.code === '3D000') {
    return failure('database_missing', `Database ${where} does not exist`, ExitCode.unreachable);
  }
  if (/timeout|terminated/i.test(e.message ?? '')) {
    return failure('database_unreachable', `Cannot reach PostgreSQL at ${where}: ${e.message}`, ExitCode.unreachable);
  }
  return null;
}

export interface ConnectOptions {
  /** Give up connecting after this many ms (default 5000). */
  readonly connectTimeoutMs?: number;
  readonly applicationName?: string;
}

const clientConfig = (url: string, options: ConnectOptions): pg.ClientConfig => ({
  connectionString: url,
  connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  application_name: options.applicationName ?? APPLICATION_NAME,
});

/** One connected client, or a Failure saying why the database could not be reached. */
export async function connectClient(url: string, options: ConnectOptions = {}): Promise<Result<pg.Client>> {
  const client = new pg.Client(clientConfig(url, options));
  client.on('error', () => {}); // a dropped connection surfaces on the next query instead
  try {
    await client.connect();
    return ok(client);
  } catch (e) {
    await client.end().catch(() => {});
    const f = connectionFailure(url, e);
    if (f) return err(f);
    throw e;
  }
}

/** Runs `fn` with one connection and always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>, options: ConnectOptions = {}): Promise<Result<T>> {
  const connected = await connectClient(url, options);
  if (!connected.ok) return connected;
  try {
    return ok(await fn(connected.value));
  } finally {
    await connected.value.end().catch(() => {});
  }
}

/** A pool for long-running users (the server). */
export function createPool(url: string, options: ConnectOptions & { readonly max?: number } = {}): pg.Pool {
  return new pg.Pool({ ...clientConfig(url, options), max: options.max ?? 10 });
}
