import { setTimeout as sleep } from 'node:timers/promises';
import { TIER_COLUMNS } from '../db/tier-columns.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { isExchange, isRecord, probe } from './http-probe.js';

/** Whether an anonymous `GET /v1/models` lists models with (`present`) or without (`absent`) the tier fields; null: no usable answer. */
async function tierFieldsShown(apiUrl: string, timeoutMs: number, signal?: AbortSignal): Promise<'present' | 'absent' | null> {
  const x = await probe(apiUrl, 'GET', '/v1/models', { timeoutMs, ...(signal ? { signal } : {}) });
  if (!isExchange(x) || x.status !== 200 || !isRecord(x.json) || !Array.isArray(x.json.models) || x.json.models.length === 0) return null;
  const models = x.json.models.filter(isRecord);
  if (models.every((m) => TIER_COLUMNS.every((c) => c in m))) return 'present';
  if (models.every((m) => TIER_COLUMNS.every((c) => !(c in m)))) return 'absent';
  return null;
}

/**
 * Waits until the running API serves the schema the database now has: instances that were
 * running during a migration (blue-green, rolling, or no restart at all) pick it up on
 * their own within their re-check bound. Returns how long it took; never within `waitMs`: exit 1.
 */
export async function waitTierFields(apiUrl: string, want: 'present' | 'absent', o: { waitMs: number; timeoutMs: number; signal?: AbortSignal }): Promise<Result<{ waitedMs: number }>> {
  const start = performance.now();
  let seen: string | null = null;
  while (!o.signal?.aborted) {
    const shown = await tierFieldsShown(apiUrl, o.timeoutMs, o.signal);
    if (shown === want) return ok({ waitedMs: Math.round(performance.now() - start) });
    seen = shown ?? 'no usable model list';
    if (performance.now() - start > o.waitMs) break;
    await sleep(100);
  }
  if (o.signal?.aborted) return err(failure('interrupted', 'Interrupted while waiting for the API', ExitCode.interrupted));
  return err(failure('schema_not_visible', `The API at ${apiUrl} still does not serve the tier fields ${want === 'present' ? 'added' : 'removed'} by the migration after ${Math.round(o.waitMs / 1000)} s (it shows: ${seen})`, ExitCode.failed, {
    hint: 'Instances running old code, or caching the old catalog, need a restart (--start-cmd).',
  }));
}
