import { expect, it } from 'vitest';
import { migrationUnderTraffic } from '../helpers/migration-under-traffic.js';

it('migrate apply, seed and rollback under 200 req/s: no failed request, every answer by the right rule', async () => {
  const r = await migrationUnderTraffic({ rate: 200, phaseMs: 3_000 });
  expect(r.requests).toBeGreaterThan(1500);
  expect(r.failed).toBe(0);
  expect(r.wrongRule).toEqual([]);
  // Both rules were really exercised: served before and after, denied while the tier schema was in place.
  expect(r.answers['free-pro-model 200']).toBeGreaterThan(100);
  expect(r.answers['free-pro-model 403']).toBeGreaterThan(50);
  // The tier migration and its rollback each took models' ACCESS EXCLUSIVE lock: the sampler saw them.
  expect(r.lockMaxMs).toBeGreaterThan(0);
}, 60_000);
