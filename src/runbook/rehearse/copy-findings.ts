import type { TierCoverage } from '../../db/dump/tier-coverage.js';
import { TIERS, tierLabel, type Tier } from '../../tier/index.js';
import { finding, formatCount, formatMs, type Finding } from './findings.js';
import type { StatementProfile } from './statement-profile.js';
import type { SubscriberImpact, TierCounts } from './subscriber-impact.js';

/** The findings a copy's data gives, as sentences with the way out (pure: data in, findings out). */

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
const perTier = (c: TierCounts) => TIERS.filter((t) => c[t] > 0).map((t) => `${formatCount(c[t])} ${tierLabel(t)}`).join(', ');
const sum = (c: TierCounts) => TIERS.reduce((n, t) => n + c[t], 0);
const tiersText = (tiers: readonly Tier[]) => (tiers.length === 3 ? 'every tier' : tiers.length === 0 ? 'no tier' : tiers.map(tierLabel).join(' + '));

export function missingModelsFinding(missing: readonly string[], kept: number): Finding {
  return finding({
    id: 'missing-models',
    severity: 'blocker',
    title: `tier-assignments.json names ${plural(missing.length, 'model')} that production lacks`,
    detail: `${missing.join(', ')}: not in the copy's models table. \`tierctl deploy --seed\` would stop at the seed step (nothing seeded) and roll the migration back. This rehearsal went on with the other ${plural(kept, 'assignment')}.`,
    wayOut: 'Remove those entries from tier-assignments.json (or fix their ids: ids match exactly), or insert the models before deploying.',
    evidence: { missing },
  });
}

export function unavailableModelsFinding(ids: readonly string[]): Finding {
  return finding({
    id: 'unavailable-models',
    severity: 'warning',
    title: `tier-assignments.json assigns ${plural(ids.length, 'model')} that production has switched off`,
    detail: `${ids.join(', ')}: is_available is false in the copy. The API does not list ${ids.length === 1 ? 'it' : 'them'} and answers 400 model_unavailable, so the post-deployment checks that expect every assigned model listed (and the Pro model used) fail.`,
    wayOut: 'Make them available before deploying, or leave them out of tier-assignments.json for this deployment.',
    evidence: { unavailable: ids },
  });
}

export function subscriberFindings(impact: SubscriberImpact): Finding[] {
  const out: Finding[] = [];
  const losing = impact.models.filter((m) => sum(m.losing) > 0);
  const affected = TIERS.filter((t) => losing.some((m) => m.losing[t] > 0));
  out.push(finding({
    id: 'subscribers-losing-access',
    severity: losing.length > 0 ? 'warning' : 'info',
    title: losing.length > 0
      ? `${plural(losing.length, 'model')} become${losing.length === 1 ? 's' : ''} restricted for users who can use ${losing.length === 1 ? 'it' : 'them'} today`
      : 'No user loses access to a model they can use today',
    detail: `${formatCount(impact.users)} users by effective tier: ${perTier(impact.usersByTier) || 'none'} (with an active or trialing subscription: ${perTier(impact.subscribersByTier) || 'none'}). ` +
      (losing.length > 0
        ? losing.slice(0, 5).map((m) => `${m.id} (${tiersText(m.before)} → ${tiersText(m.after)}): ${perTier(m.losing)} users lose it`).join('; ') + (losing.length > 5 ? `; and ${losing.length - 5} more` : '') + '.'
        : `${plural(impact.availableModels, 'available model')}, none restricted further.`),
    ...(losing.length > 0
      ? { wayOut: `Tell the ${affected.map(tierLabel).join(' and ')} users first, or start with shadow mode (ENABLE_TIER_ENFORCEMENT=false: denials are logged and counted, nobody is refused) and watch \`tierctl monitor\`.` }
      : {}),
    evidence: { usersByTier: impact.usersByTier, subscribersByTier: impact.subscribersByTier, models: impact.models },
  }));
  const gapUsers = impact.gaps.reduce((n, g) => n + g.users, 0);
  if (gapUsers > 0) {
    out.push(finding({
      id: 'entitlement-gap',
      severity: 'warning',
      title: `${plural(gapUsers, 'subscriber')} of a paid tier count as ${tierLabel('free')} after the deployment`,
      detail: `Their subscription's status or period does not entitle them (the guide's rule: active or trialing, period not ended). Today that changes nothing; with enforcement they get the Free tier's models only: ${impact.gaps.map((g) => `${tierLabel(g.subscribed)} ${g.reason.replace('_', ' ')}: ${formatCount(g.users)}`).join(', ')}.`,
      wayOut: 'Settle or extend those subscriptions before enforcing (e.g. a grace period for past_due), or accept it knowingly; `tierctl access explain --user EMAIL --model ID` shows one user\'s case.',
      evidence: { gaps: impact.gaps },
    }));
  }
  return out;
}

const MODES = ['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE', 'ROW SHARE', 'ACCESS SHARE'];

/** `ACCESS EXCLUSIVE on models, SHARE on users`: each relation once, with the strongest lock taken on it. */
export function strongestPerRelation(locks: readonly { relation: string; mode: string }[]): string {
  const best = new Map<string, string>();
  for (const l of locks) {
    const had = best.get(l.relation);
    if (!had || MODES.indexOf(l.mode) < MODES.indexOf(had)) best.set(l.relation, l.mode);
  }
  return [...best].map(([r, m]) => `${m} on ${r}`).join(', ');
}

export function profileFinding(p: StatementProfile): Finding {
  const apply = p.direction === 'apply';
  // The statement whose table lock is held longest (an ACCESS EXCLUSIVE one first: it blocks readers too).
  const exclusive = (st: StatementProfile['statements'][number]) => st.locks.some((l) => l.mode === 'ACCESS EXCLUSIVE');
  const longest = p.statements.filter((st) => st.locks.length > 0).sort((a, b) => Number(exclusive(b)) - Number(exclusive(a)) || b.holdMs - a.holdMs)[0];
  const total = p.migrations.reduce((n, m) => n + m.durationMs, 0);
  if (p.failed) {
    return finding({
      id: apply ? 'statement-locks' : 'rollback-statement-locks',
      severity: 'blocker',
      title: `${apply ? 'The migration' : 'The rollback'} fails on the copy: statement ${p.failed.index} of ${p.failed.migration}`,
      detail: `${p.failed.sql.split('\n')[0]!.slice(0, 160)}: ${p.failed.error}`,
      wayOut: apply ? 'Fix the data or the migration before deploying; the real run would roll back whole at this statement.' : 'The rollback SQL does not run on this data: fix down.sql, or plan to restore the backup instead (tierctl rollback --restore MANIFEST).',
      evidence: p,
    });
  }
  const ae = p.modelsAccessExclusiveMs;
  return finding({
    id: apply ? 'statement-locks' : 'rollback-statement-locks',
    severity: ae >= 1000 ? 'warning' : 'info',
    title: `${apply ? 'Migration' : 'Rollback'}: ${plural(p.statements.length, 'statement')} in ${formatMs(total)}; models held ACCESS EXCLUSIVE for ${formatMs(ae)}`,
    detail: `On the copy's table sizes, statement by statement in one transaction (rolled back). Longest lock: ${longest ? `${longest.kind} (statement ${longest.index} of ${longest.migration}) holds ${strongestPerRelation(longest.locks) || 'no table lock'} for ${formatMs(longest.holdMs)}` : 'none'}. While models is ACCESS EXCLUSIVE, every request that reads it waits.`,
    ...(ae >= 1000 ? { wayOut: 'Deploy at a quiet hour or stop the backend first (deploy --stop-cmd); keep --lock-timeout short so a busy table makes the migration retry instead of queueing every reader behind it.' } : {}),
    evidence: p,
  });
}

export function durationsFinding(d: { readonly restoreMs: number; readonly copyBytes: number; readonly tables: number; readonly backupMs: number | null; readonly migrateMs: number | null; readonly rollbackMs: number | null }): Finding {
  const parts = [
    `copy restored in ${formatMs(d.restoreMs)} (${plural(d.tables, 'table')})`,
    d.backupMs !== null ? `backup (guide step 4) ${formatMs(d.backupMs)}` : null,
    d.migrateMs !== null ? `migration ${formatMs(d.migrateMs)}` : null,
    d.rollbackMs !== null ? `rollback ${formatMs(d.rollbackMs)}` : null,
  ].filter(Boolean);
  return finding({
    id: 'durations',
    severity: 'info',
    title: 'How long each step takes on production\'s data',
    detail: `${parts.join('; ')}. Plan the maintenance window with these (a restore from backup takes about as long as this copy did).`,
    evidence: d,
  });
}

/** What rolling back would destroy, as the data-loss guard judges it (a dry run of `migrate rollback` with the backup). */
export interface WouldBeLoss {
  readonly models: readonly { readonly id: string; readonly requiredTier: string | null; readonly tierRestrictionMode: string | null; readonly allowedTiers: readonly string[] | null }[];
  readonly allowedBy: string | null;
  /** The guard's refusal, as it would be printed. */
  readonly refusal: { readonly code: string; readonly message: string; readonly hint?: string } | null;
  readonly backup: string | null;
  /** The data-loss guard's comparison of the live values with the backup's dump, model by model (null: no backup). */
  readonly coverage: TierCoverage | null;
}

export function rollbackLossFinding(loss: WouldBeLoss, when: 'after-deploy' | 'now'): Finding {
  const n = loss.models.length;
  const evidence = loss;
  if (loss.refusal && loss.refusal.code !== 'data_loss') {
    return finding({ id: 'rollback-loss', severity: 'blocker', title: 'The rollback would be refused', detail: loss.refusal.message.split('\n')[0]!, wayOut: loss.refusal.hint ?? 'See the refusal in the evidence.', evidence });
  }
  if (n === 0) return finding({ id: 'rollback-loss', severity: 'info', title: 'A rollback loses no tier settings', detail: 'Every model has the column defaults: dropping the tier columns destroys nothing.', evidence });
  const which = `${loss.models.slice(0, 8).map((m) => `${m.id} (${m.requiredTier}, ${m.tierRestrictionMode})`).join(', ')}${n > 8 ? `, and ${n - 8} more` : ''}`;
  if (loss.refusal) {
    return finding({
      id: 'rollback-loss',
      severity: 'warning',
      title: `A rollback ${when === 'after-deploy' ? 'after this deployment ' : ''}drops the tier settings of ${plural(n, 'model')}, and the backup does not hold them`,
      detail: `${which}. ${when === 'after-deploy' ? 'They are seeded after the pre-deployment backup, so `tierctl rollback --backup MANIFEST` refuses (exit 4) to drop them' : 'The data-loss guard refuses (exit 4) without a backup that holds them'}${loss.coverage ? ` (the backup's dump differs for ${plural(loss.coverage.differences.length, 'model')} of ${formatCount(loss.coverage.compared)}: ${loss.coverage.differences.slice(0, 5).map((d) => `${d.id} ${d.dump ? d.fields.join(', ') : 'not in it'}`).join('; ')})` : ''}.`,
      wayOut: 'Take a backup right before rolling back (tierctl backup) and pass it with --backup; or, when the values come from tier-assignments.json, give --accept-loss knowing they are re-seeded by the next deployment.',
      evidence,
    });
  }
  return finding({
    id: 'rollback-loss',
    severity: 'info',
    title: `A rollback drops the tier settings of ${plural(n, 'model')}; the backup holds them`,
    detail: `${which}. Allowed by ${loss.allowedBy === 'backup' ? 'the backup taken before the rollback' : loss.allowedBy}: \`tierctl restore\` brings them back.`,
    evidence,
  });
}
