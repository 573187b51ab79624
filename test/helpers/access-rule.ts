/**
 * Which access rule an answer followed (`open`: no tier enforcement, as before the tier
 * columns exist; `enforced`: the guide's denials), and which rule was in force when it was
 * asked, given the changes made meanwhile. An answer that is neither rule's (a 403 whose
 * body is not the guide's, a 404, a 500) is wrong whenever it comes.
 */
import type { Sample } from './steady-traffic.js';

export type Rule = 'open' | 'enforced';

/** A change of rule: from `start` (first instant it may show) to `end` (committed and reported). */
export interface RuleChange {
  readonly start: number;
  readonly end: number;
  readonly to: Rule;
}

/** Answers that do not depend on the rule. */
export const SAME_EITHER_WAY = 'same';

/** A completion a tier denies once enforced: 200 is `open`, the guide's exact 403 is `enforced`. */
export function observeDenial(model: string, userTier: string, requiredTier: string) {
  const label = requiredTier[0]!.toUpperCase() + requiredTier.slice(1);
  const message = `Model access restricted: Requires ${label} tier or higher`;
  return (status: number, body: unknown): string => {
    if (status === 200) return 'open';
    const b = body as { code?: string; message?: string; details?: Record<string, unknown>; error?: { message?: string } } | null;
    const guide =
      status === 403 &&
      b?.code === 'model_access_restricted' &&
      b.message === message &&
      b.error?.message === message &&
      b.details?.model_id === model &&
      b.details.user_tier === userTier &&
      b.details.required_tier === requiredTier &&
      b.details.upgrade_url === '/subscriptions/upgrade';
    return guide ? 'enforced' : `unexpected ${status} ${b?.code ?? ''}`.trim();
  };
}

/** A listing for a user a model's tier excludes: `allowed` (or no status) is `open`, `upgrade_required` is `enforced`. */
export function observeListing(model: string) {
  return (status: number, body: unknown): string => {
    const entry = (body as { models?: { id: string; access_status?: string }[] } | null)?.models?.find((m) => m.id === model);
    if (status !== 200 || !entry) return `unexpected ${status}`;
    if (entry.access_status === 'upgrade_required') return 'enforced';
    return entry.access_status === undefined || entry.access_status === 'allowed' ? 'open' : `unexpected access_status ${entry.access_status}`;
  };
}

/** Answers that must be 200 under both rules. */
export const observeAlwaysOk = (status: number): string => (status === 200 ? SAME_EITHER_WAY : `unexpected ${status}`);

/**
 * The rules a request could rightly follow: the rule in force when it ended, if that was
 * before the next change began; after a change, its new rule once `transitionMs` have passed
 * since the change ended; in between, either.
 */
export function rulesFor(sample: Pick<Sample, 'start' | 'end'>, initial: Rule, changes: readonly RuleChange[], transitionMs: number): readonly Rule[] {
  let rule = initial;
  for (const c of changes) {
    if (sample.end < c.start) return [rule];
    if (sample.start < c.end + transitionMs) return [rule, c.to];
    rule = c.to;
  }
  return [rule];
}

/** Every answer outside its rule: no HTTP answer and 5xx are failures, counted apart. */
export function wrongRuleAnswers(samples: readonly Sample[], initial: Rule, changes: readonly RuleChange[], transitionMs: number): Sample[] {
  return samples.filter((s) => {
    if (s.status === 0 || s.status >= 500) return false;
    if (s.observed === SAME_EITHER_WAY) return false;
    return !(rulesFor(s, initial, changes, transitionMs) as readonly string[]).includes(s.observed);
  });
}

/**
 * How long after each change its old rule was still seen (the end of the last answer by the
 * old rule asked before the next change, minus the change's end; negative when none came
 * after the change ended).
 */
export function oldRuleSeenAfter(samples: readonly Sample[], initial: Rule, changes: readonly RuleChange[]): number[] {
  let previous = initial;
  return changes.map((c, i) => {
    const old = previous;
    previous = c.to;
    const until = changes[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    const lastOld = Math.max(Number.NEGATIVE_INFINITY, ...samples.filter((s) => s.observed === old && s.start >= c.start && s.start < until).map((s) => s.end));
    return Number.isFinite(lastOld) ? Number((lastOld - c.end).toFixed(1)) : Number.NEGATIVE_INFINITY;
  });
}
