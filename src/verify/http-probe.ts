import { apiEndpoint } from '../shared/api-endpoint.js';
import type { Evidence } from './check-result.js';

/** One HTTP exchange with the target, kept whole for evidence. */
export interface Exchange {
  readonly request: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** A request that got no HTTP answer (refused, reset, timed out). */
export interface TransportError {
  readonly request: string;
  readonly error: string;
}

export interface ProbeOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const MAX_BODY = 600;
const SHOWN_HEADERS = ['content-type', 'content-length', 'www-authenticate', 'retry-after'];

export const trimmed = (text: string) => (text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}… (${text.length} bytes)` : text);

const PLAIN: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'connection closed before a complete answer',
};

/** Why a request got no answer, as an operator reads it, with the low-level code kept. */
function why(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  const code = err.cause?.code;
  if (code?.startsWith('HPE_')) return `not an HTTP answer (${code})`;
  if (code && PLAIN[code]) return `${PLAIN[code]} (${code})`;
  return code ?? err.cause?.message ?? err.message ?? String(e);
}

/**
 * Sends one request to `route` under the API's base URL (its path prefix kept, see
 * apiEndpoint); never throws: a missing answer is a TransportError. `request` names the path
 * requested; the token never appears in it.
 */
export async function probe(apiUrl: string, method: 'GET' | 'POST', route: string, o: ProbeOptions): Promise<Exchange | TransportError> {
  const url = apiEndpoint(apiUrl, route);
  const request = `${method} ${url.pathname}${o.token ? ' (Bearer token)' : ''}`;
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const signals = [AbortSignal.timeout(Math.ceil(o.timeoutMs)), ...(o.signal ? [o.signal] : [])];
    const res = await fetch(url, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}), signal: AbortSignal.any(signals) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const shown: Record<string, string> = {};
    for (const h of SHOWN_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) shown[h] = v;
    }
    return { request, status: res.status, headers: shown, text, json };
  } catch (e) {
    return { request, error: why(e) };
  }
}

export const isExchange = (x: Exchange | TransportError): x is Exchange => 'status' in x;

/** Evidence from an exchange (or a request that got no answer). */
export function evidenceOf(x: Exchange | TransportError, expected: string, actual: string): Evidence {
  if (!isExchange(x)) return { request: x.request, expected, actual: `no answer: ${x.error}` };
  return { request: x.request, status: x.status, headers: x.headers, body: trimmed(x.text), expected, actual };
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
