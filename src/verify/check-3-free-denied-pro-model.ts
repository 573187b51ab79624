import { decideAccess } from '../tier/index.js';
import { NO_PRO_MODEL, fail, pass, skipped, type Verdict } from './check-result.js';
import { evidenceOf, isExchange, isRecord } from './http-probe.js';
import { chat, tokenFor, type VerifyContext } from './verify-context.js';

/** Test 3: the free user asking for a Pro model gets 403 with the guide's body and message. */
export async function checkFreeDeniedProModel(ctx: VerifyContext): Promise<Verdict> {
  const model = ctx.expectations.proModel;
  if (!model) return skipped(NO_PRO_MODEL);
  const t = tokenFor(ctx, 'free');
  if ('verdict' in t) return t.verdict;
  const decision = decideAccess('free', ctx.expectations.policies.get(model)!);
  if (decision.allowed) return fail(`internal: ${model} is allowed to free`);
  const want = { status: 'error', code: 'model_access_restricted', message: decision.message, details: { model_id: model, user_tier: 'free', required_tier: decision.requiredTier, upgrade_url: '/subscriptions/upgrade' } };
  const expected = `403 ${JSON.stringify(want)}`;
  const x = await chat(ctx, t.token, model, 'Hello');
  if (!isExchange(x)) return fail('no answer', evidenceOf(x, expected, 'no answer'));
  const b = isRecord(x.json) ? x.json : {};
  const d = isRecord(b.details) ? b.details : {};
  const wrong: string[] = [];
  if (x.status !== 403) wrong.push(`status ${x.status}`);
  for (const k of ['status', 'code', 'message'] as const) if (b[k] !== want[k]) wrong.push(`${k} ${JSON.stringify(b[k])}`);
  for (const [k, v] of Object.entries(want.details)) if (d[k] !== v) wrong.push(`details.${k} ${JSON.stringify(d[k])}`);
  if (wrong.length > 0) return fail(`free user asking for ${model}: ${wrong.join(', ')}`, evidenceOf(x, expected, wrong.join(', ')));
  return pass(`403 "${decision.message}" for ${model}`);
}
