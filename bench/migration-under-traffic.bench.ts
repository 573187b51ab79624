/**
 * The guide's "zero downtime": 200 req/s (model listings, allowed completions, denials from
 * three users) while `tierctl migrate apply`, `seed` and `migrate rollback` run. The figure
 * is the longest an ACCESS EXCLUSIVE lock on models was held or waited for (upper bound from
 * pg_locks sampling, goal <= 50 ms); failed requests (goal 0), answers by the wrong rule
 * (goal 0) and p99 during/before the change are in the details, and any of them missing its
 * goal fails the figure.
 */
import { migrationUnderTraffic } from '../test/helpers/migration-under-traffic.js';
import { reportFigure } from './report.js';

const r = await migrationUnderTraffic({ rate: 200, phaseMs: Number(process.env.BENCH_PHASE_MS ?? 5_000) });
const p99Ratio = r.p99DuringMs / r.p99BeforeMs;
reportFigure({
  name: 'migration-under-traffic',
  what: 'longest ACCESS EXCLUSIVE hold/wait on models during apply + seed + rollback under 200 req/s',
  value: r.locks.maxMs,
  unit: 'ms',
  baseline: `p99 before the change: ${r.p99BeforeMs} ms (during: ${r.p99DuringMs} ms, ${p99Ratio.toFixed(2)}x)`,
  goal: '<= 50 ms, 0 failed, 0 wrong rule',
  met: r.locks.maxMs <= 50 && r.failed === 0 && r.wrongRule.length === 0,
  detail: {
    requests: r.requests,
    failed: r.failed,
    wrongRule: r.wrongRule.length,
    p99BeforeMs: r.p99BeforeMs,
    p99DuringMs: r.p99DuringMs,
    p99Ratio: Number(p99Ratio.toFixed(2)),
    lockWindowsMs: r.locks.windows.map((w) => `${w.app}: ${w.lowerMs}..${w.upperMs} (waited ${w.waitedMs}) at ${w.query.replace(/\s+/g, ' ')}`),
    readerBlockedMaxMs: r.locks.readerMaxMs,
    lockSamples: r.locks.samples,
    lockSampleIntervalMs: r.locks.intervalMs,
    lockSampleMaxGapMs: r.locks.maxGapMs,
    transitionMs: r.transitionMs,
    oldRuleSeenAfterMs: r.oldRuleSeenAfterMs,
    ...r.changes,
    answers: r.answers,
  },
});
