import { expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app-options.js';
import { migrationUnderTraffic } from '../helpers/migration-under-traffic.js';

// Each phase lasts until every request kind has this many answers by the rule it shows (on a
// loaded machine the traffic falls behind its rate; the assertions below count answers).
const PHASE_ANSWERS = 30;
const HOUR = 3_600_000;
/**
 * A server that cannot learn of the change while the test runs: `changeListener: false` starts
 * neither LISTEN nor the change-counter poller (app-options.ts), and nothing it cached expires
 * or is re-read within the hour (catalog, user tiers, the schema recheck).
 */
const DEAF_SERVER: Partial<AppOptions> = { changeListener: false, cache: { modelTtlMs: HOUR, userTierTtlMs: HOUR, schemaRecheckMs: HOUR } };

it('migrate apply, seed and rollback under 200 req/s: no failed request, every answer by the right rule', async () => {
  const r = await migrationUnderTraffic({ rate: 200, phaseMs: 3_000, phaseAnswers: PHASE_ANSWERS });
  expect(r.requests).toBeGreaterThan(1500);
  expect(r.failed).toBe(0);
  expect(r.wrongRule).toEqual([]);
  // Both rules were really exercised: served before and after, denied with the guide's body
  // (and shown as upgrade_required in the listing) while the tier schema was in place.
  for (const kind of ['free-pro-model', 'pro-enterprise-model']) {
    expect(r.answers[`${kind} 200 open`]).toBeGreaterThan(50);
    expect(r.answers[`${kind} 403 enforced`]).toBeGreaterThan(20);
  }
  expect(r.answers['list-free 200 open']).toBeGreaterThan(50);
  expect(r.answers['list-free 200 enforced']).toBeGreaterThan(20);
  // The tier migration and its rollback each took models' ACCESS EXCLUSIVE lock: the sampler saw them.
  // (Their length is the benchmark's figure, not asserted here: it depends on the machine's load.)
  expect(r.locks.windows.length).toBeGreaterThanOrEqual(2);
}, 60_000);

it('a server that misses the change (no LISTEN, no poller, nothing cached expires) is caught answering by the old rule', async () => {
  // Its point needs no high rate: a modest one keeps a loaded machine from timing requests out.
  const r = await migrationUnderTraffic({ rate: 50, phaseMs: 1_000, phaseAnswers: PHASE_ANSWERS, app: DEAF_SERVER });
  expect(r.failed).toBe(0);
  // After the seed it keeps serving the free user the Pro model from its cached catalog: every
  // one of the phase's answers (sent after the transition, answered before the rollback) is wrong.
  expect(r.wrongRule.filter((s) => s.kind === 'free-pro-model' && s.status === 200).length).toBeGreaterThanOrEqual(PHASE_ANSWERS);
  expect(r.answers['free-pro-model 403 enforced']).toBeUndefined();
}, 180_000);
