import { decideAccess } from '../tier/index.js';
import { fail, pass, skipped, type Verdict } from './check-result.js';
import { evidenceOf, isExchange, isRecord } from './http-probe.js';
import { chat, tokenFor, type VerifyContext } from './verify-context.js';

const TOP = { status: 'string', code: 'string', message: 'string', details: 'object', timestamp: 'string' } as const;
const DETAILS = ['model_id', 'user_tier', 'required_tier', 'upgrade_url'] as const;
// ISO 8601 date-time, e.g. 2025-11-08T12:00:00Z or 2025-11-08T12:00:00.123+01:00.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** What is wrong with a denial body's shape (empty: the guide's format). */
function shapeProblems(b: Record<string, unknown>, want: Record<(typeof DETAILS)[number], string>): string[] {
  const wrong: string[] = [];
  for (const [k, type] of Object.entries(TOP)) if (typeOf(b[k]) !== type) wrong.push(`${k} is ${b[k] === undefined ? 'missing' : typeOf(b[k])}`);
  if (b.status !== undefined && b.status !== 'error') wrong.push(`status ${JSON.stringify(b.status)}, not "error"`);
  if (b.code !== undefined && b.code !== 'model_access_restricted') wrong.push(`code ${JSON.stringify(b.code)}, not "model_access_restricted"`);
  if (typeof b.timestamp === 'string' && !(ISO_8601.test(b.timestamp) && !Number.isNaN(Date.parse(b.timestamp)))) wrong.push(`timestamp ${JSON.stringify(b.timestamp)} is not ISO 8601`);
  if (isRecord(b.details)) {
    for (const k of DETAILS) {
      const v = b.details[k];
      if (typeof v !== 'string' || v === '') wrong.push(`details.${k} is ${v === undefined ? 'missing' : JSON.stringify(v)}`);
      else if (k !== 'upgrade_url' && v !== want[k]) wrong.push(`details.${k} ${JSON.stringify(v)}, not "${want[k]}"`);
    }
  }
  return wrong;
}

/**
 * Test 7: a tier denial (the free user asking for an Enterprise model, as the guide does with
 * gpt-5) is 403 with `Content-Type: application/json` and the guide's body: status "error",
 * code "model_access_restricted", message, details (its four members, strings, naming this
 * request), an ISO-8601 timestamp. Extra members (e.g. OpenAI's `error`) are allowed and named.
 */
export async function checkErrorFormat(ctx: VerifyContext): Promise<Verdict> {
  const model = ctx.expectations.enterpriseModel;
  if (!model) return skipped('tier-assignments.json has no model that the free tier may not use: there is no denial to look at');
  const t = tokenFor(ctx, 'free');
  if ('verdict' in t) return t.verdict;
  const decision = decideAccess('free', ctx.expectations.policies.get(model)!);
  const want = { model_id: model, user_tier: 'free', required_tier: decision.allowed ? '' : decision.requiredTier, upgrade_url: '' };
  const expected = `403, application/json, {${Object.entries(TOP).map(([k, v]) => `${k}: ${v}`).join(', ')}}, details {${DETAILS.join(', ')}} for ${model}`;
  const x = await chat(ctx, t.token, model, 'Test');
  if (!isExchange(x)) return fail('no answer', evidenceOf(x, expected, 'no answer'));
  const wrong: string[] = [];
  if (x.status !== 403) wrong.push(`status ${x.status}`);
  if (!/^application\/json\b/i.test(x.headers['content-type'] ?? '')) wrong.push(`Content-Type ${JSON.stringify(x.headers['content-type'] ?? null)}`);
  if (!isRecord(x.json)) wrong.push('body is not a JSON object');
  else wrong.push(...shapeProblems(x.json, want));
  if (wrong.length > 0) return fail(wrong.join('; '), evidenceOf(x, expected, wrong.join('; ')));
  const extra = Object.keys(x.json as object).filter((k) => !(k in TOP));
  return pass(`403 application/json with the guide's keys for ${model}${extra.length > 0 ? ` (and ${extra.join(', ')})` : ''}`);
}
