/**
 * A steady request rate against a server on 127.0.0.1, cycling through a mix of requests,
 * each recorded with its start and end time, route, user, model, status, error code and
 * what the answer showed (`observe`). Requests are sent on schedule whether or not earlier
 * ones have finished (an open loop, as real clients do); bounded in count and time.
 */
import { Agent, request } from 'undici';

export interface TrafficRequest {
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The caller's tier (`anonymous` without a token) and the model asked for, for the record. */
  readonly user?: string;
  readonly model?: string;
  readonly token?: string;
  readonly body?: unknown;
  /** Reads the answer: e.g. which access rule it followed. */
  readonly observe?: (status: number, body: unknown) => string;
}

export interface Sample {
  readonly kind: string;
  readonly route: string;
  readonly user: string;
  readonly model: string | null;
  readonly start: number;
  readonly end: number;
  /** 0: no HTTP answer (connection error or timeout). */
  readonly status: number;
  readonly code: string | null;
  /** What `observe` made of the answer (`-` without one, `no-answer` on a connection error). */
  readonly observed: string;
  /** The answer's `x-request-id` (null without an answer). */
  readonly requestId: string | null;
}

export interface Traffic {
  /** performance.now() when the first request was sent. */
  readonly started: number;
  /** Answers so far to requests sent at or after `since` (performance.now()), by request kind. */
  answeredSince(since: number): Readonly<Record<string, number>>;
  /** Stops sending, waits for the requests in flight, returns every sample by start time. */
  stop(): Promise<Sample[]>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Sends until stopped, `maxRequests` are sent or `maxMs` (default 120 s) have passed. */
export function startTraffic(baseUrl: string, mix: readonly TrafficRequest[], ratePerSecond: number, options: { maxRequests?: number; maxMs?: number } = {}): Traffic {
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / ratePerSecond;
  const started = performance.now();
  let sent = 0;
  let stopped = false;
  const send = (r: TrafficRequest) => {
    const start = performance.now();
    const headers: Record<string, string> = {};
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    const record = (status: number, code: string | null, observed: string, requestId: string | null = null) =>
      samples.push({ kind: r.kind, route: `${r.method} ${r.path}`, user: r.user ?? (r.token ? 'user' : 'anonymous'), model: r.model ?? null, start, end: performance.now(), status, code, observed, requestId });
    const p = request(new URL(r.path, baseUrl), { method: r.method, headers, body: r.body === undefined ? null : JSON.stringify(r.body), dispatcher, headersTimeout: 10_000, bodyTimeout: 10_000 })
      .then(async (res) => {
        const body = parse(await res.body.text());
        const code = (body as { code?: unknown } | null)?.code;
        const id = res.headers['x-request-id'];
        record(res.statusCode, typeof code === 'string' ? code : null, r.observe ? r.observe(res.statusCode, body) : '-', typeof id === 'string' ? id : null);
      })
      .catch((e: Error) => void record(0, e.message, 'no-answer'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const tick = () => {
    if (stopped || performance.now() - started > (options.maxMs ?? 120_000)) return;
    // Catch up on schedule: as many requests as are due by now.
    const due = Math.floor((performance.now() - started) / interval) + 1;
    while (sent < due && !(options.maxRequests !== undefined && sent >= options.maxRequests)) send(mix[sent++ % mix.length]!);
    setTimeout(tick, Math.max(1, interval / 2));
  };
  tick();
  return {
    started,
    answeredSince(since) {
      const counts: Record<string, number> = {};
      for (const s of samples) if (s.start >= since && s.status !== 0) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
      return counts;
    },
    async stop() {
      stopped = true;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await dispatcher.close();
      return samples.sort((a, b) => a.start - b.start);
    },
  };
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
