/**
 * Typed failures of an HTTP upstream. Messages are safe for the client and the logs: they
 * name an error code or status, never the upstream's address, body or our API key.
 */
import type { UpstreamFailure } from './provider.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function timeoutFailure(timeoutMs: number): UpstreamFailure {
  return { code: 'upstream_timeout', message: `The upstream did not answer within ${timeoutMs} ms` };
}

export function statusFailure(status: number): UpstreamFailure {
  const why = status === 401 || status === 403 ? ' (check OPENAI_COMPATIBLE_API_KEY)' : status === 429 ? ' (rate limited)' : '';
  return { code: 'upstream_error', message: `The upstream answered HTTP ${status}${why}`, upstreamStatus: status };
}

export const malformedFailure = (what: string): UpstreamFailure => ({ code: 'upstream_error', message: `The upstream's ${what} was malformed` });

export const streamErrorFailure: UpstreamFailure = { code: 'upstream_error', message: 'The upstream reported an error mid-stream' };

/** What a thrown undici/network error means: a timeout, or a connection problem named by its code. */
export function thrownFailure(error: unknown, timeoutMs: number): UpstreamFailure {
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if (e?.name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) return timeoutFailure(timeoutMs);
  const safeCode = code !== undefined && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
  return { code: 'upstream_error', message: `Cannot reach the upstream (${safeCode})` };
}
