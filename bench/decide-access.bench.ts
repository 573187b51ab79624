/**
 * decideAccess latency per call (each call timed on its own, GC pauses included) over a mix
 * of tiers and policies, allowed and denied. Goal: p99 <= 0.05 ms. The baseline is the cost
 * of the timer itself (an empty timed call), measured the same way in the same run.
 */
import { decideAccess, type ModelPolicy } from '../src/tier/index.js';
import { quantile, reportFigure } from './report.js';

const policies: ModelPolicy[] = [
  { requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] },
  { requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['pro', 'enterprise'] },
  { requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] },
  { requiredTier: 'pro', tierRestrictionMode: 'exact', allowedTiers: ['pro'] },
  { requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['pro', 'enterprise'] },
  { requiredTier: 'free', tierRestrictionMode: 'whitelist', allowedTiers: ['free', 'enterprise'] },
  { requiredTier: 'pro', tierRestrictionMode: 'bogus', allowedTiers: [] },
];
const tiers = ['free', 'pro', 'enterprise', 'platinum'];
const calls = Number(process.env.BENCH_CALLS ?? 1_000_000);

let sink = 0;
const time = (fn: () => void): number => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
for (let i = 0; i < 100_000; i++) sink += decideAccess(tiers[i % 4]!, policies[i % policies.length]!).allowed ? 1 : 0;
const samples = new Float64Array(calls);
const empty = new Float64Array(calls);
for (let i = 0; i < calls; i++) {
  const tier = tiers[i % 4]!;
  const policy = policies[i % policies.length]!;
  samples[i] = time(() => {
    sink += decideAccess(tier, policy).allowed ? 1 : 0;
  });
  empty[i] = time(() => {
    sink += 1;
  });
}
const p99 = quantile(Array.from(samples), 0.99);
const p50 = quantile(Array.from(samples), 0.5);
const timerP99 = quantile(Array.from(empty), 0.99);
reportFigure({
  name: 'decide-access',
  what: 'decideAccess p99 per call (mixed tiers, modes, allowed and denied)',
  value: Number(p99.toFixed(5)),
  unit: 'ms',
  baseline: `timer alone p99: ${timerP99.toFixed(5)} ms`,
  goal: '<= 0.05',
  met: p99 <= 0.05,
  detail: { p50Ms: Number(p50.toFixed(5)), p999Ms: Number(quantile(Array.from(samples), 0.999).toFixed(5)), calls, sink: sink > 0 },
});
