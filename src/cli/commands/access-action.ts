import { accessExplain, type AccessExplanation } from '../../runbook/access-explain.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { colors, writeJson } from '../output.js';
import { renderTable } from '../table.js';
import type { AccessExplainFlags } from './access.js';

const BASIS: Record<string, string> = {
  entitled: 'status and period entitle it',
  no_subscription: 'no subscription',
  status_not_entitled: 'status is not active or trialing',
  period_ended: 'current period has ended',
  unknown_tier: 'unknown tier',
};

export function explanationText(x: AccessExplanation, c: ReturnType<typeof colors>): string {
  const lines = [`User ${x.user.email} (${x.user.id})`];
  if (x.subscriptions.length === 0) lines.push('  no subscription: effective tier free');
  else {
    lines.push(
      renderTable(
        ['tier', 'status', 'period ends', 'gives', 'why'],
        x.subscriptions.map((s) => [s.tier, s.status, s.currentPeriodEnd, s.gives, BASIS[s.basis] ?? s.basis]),
      ).trimEnd(),
    );
  }
  lines.push(`Effective tier: ${c.bold(x.effectiveTier)}${x.subscriptions.length > 1 ? ' (the highest any subscription gives)' : ''}`);
  if (x.model) {
    const p = x.model.policy;
    lines.push(`Model ${x.model.id} (${x.model.name}), ${x.model.isAvailable ? 'available' : 'not available'}`);
    lines.push(p ? `  policy: required_tier=${p.requiredTier}, tier_restriction_mode=${p.tierRestrictionMode}, allowed_tiers={${p.allowedTiers.join(',')}}` : `  no tier policy: the tier schema is ${x.tierSchema}`);
  }
  for (const f of x.findings) lines.push(`  ${f.level === 'error' ? c.red('policy error') : c.yellow('policy warning')}: ${f.message}`);
  const o = x.outcome;
  if (o.kind === 'denied') {
    lines.push(`Decision: ${c.red('denied')} (${o.decision.reason}): the API answers 403 with`);
    lines.push(JSON.stringify(o.body, null, 2));
  } else {
    lines.push(`Decision: ${o.kind === 'allowed' ? c.green('allowed') : c.red(o.kind)} (HTTP ${o.status}): ${o.why}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function accessExplainAction(ctx: CliContext, opts: AccessExplainFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const x = unwrap(await accessExplain({ database, email: opts.user, modelId: opts.model }));
  if (opts.json) writeJson(ctx.stdout, { ok: true, ...x });
  else ctx.stdout.write(explanationText(x, colors(ctx.stdout, ctx.env)));
  return ExitCode.ok;
}
