import { setTimeout as sleep } from 'node:timers/promises';
import { apiEndpoint } from '../shared/api-endpoint.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { isExchange, isRecord, probe, trimmed } from './http-probe.js';

export interface Health {
  readonly attempts: number;
  readonly waitedMs: number;
  readonly body: unknown;
}

/**
 * The guide's step 9: `GET /health` until it answers 200 with `status: healthy`, retrying
 * with backoff (100 ms doubling to 2 s) for up to `waitMs`. Never healthy: exit 3 with the
 * last thing seen (connection refused, a 503 body, a timeout).
 */
export async function waitHealthy(apiUrl: string, o: { waitMs: number; timeoutMs: number; signal?: AbortSignal }): Promise<Result<Health>> {
  const start = performance.now();
  let delay = 100;
  let attempts = 0;
  let seen = 'nothing yet';
  for (;;) {
    attempts += 1;
    const left = o.waitMs - (performance.now() - start);
    const x = await probe(apiUrl, 'GET', '/health', { timeoutMs: Math.round(Math.max(100, Math.min(o.timeoutMs, left))), ...(o.signal ? { signal: o.signal } : {}) });
    if (isExchange(x)) {
      if (x.status === 200 && isRecord(x.json) && x.json.status === 'healthy') return ok({ attempts, waitedMs: Math.round(performance.now() - start), body: x.json });
      seen = `HTTP ${x.status}: ${trimmed(x.text).slice(0, 200)}`;
    } else seen = x.error;
    if (o.signal?.aborted) return err(failure('interrupted', 'Interrupted while waiting for /health', ExitCode.interrupted));
    const remaining = o.waitMs - (performance.now() - start);
    if (remaining <= 0) {
      return err(failure('api_unhealthy', `${apiEndpoint(apiUrl, '/health').href} was not healthy within ${Math.round(o.waitMs / 1000)} s (${attempts} attempts); last seen: ${seen}`, ExitCode.unreachable, {
        hint: 'Check --api-url / API_URL, that the backend runs, and its database connection; --wait (e.g. --wait 2m) waits longer.',
      }));
    }
    await sleep(Math.min(delay, remaining)).catch(() => {});
    delay = Math.min(delay * 2, 2000);
  }
}
