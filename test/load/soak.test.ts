import { expect, it } from 'vitest';
import { soak } from '../helpers/soak.js';

it('2,000 requests then SIGTERM: exactly one api_logs row each, as the client saw it; connections within the pool', async () => {
  const r = await soak({ requests: 2_000, warmup: 200, concurrency: 16 });
  expect(r.exitCode).toBe(0);
  expect(r.logged).toEqual(r.seen);
  expect(Object.values(r.logged).reduce((a, b) => a + b, 0)).toBe(r.requests);
  // The mix really had allowed, denied and unknown-model answers.
  expect(Object.keys(r.seen).sort()).toEqual(['200 -', '403 model_access_restricted', '404 model_not_found']);
  expect(r.maxConnections).toBeGreaterThan(0);
  expect(r.maxConnections).toBeLessThanOrEqual(r.poolSize);
}, 90_000);
