import { fail, pass, type Verdict } from './check-result.js';
import { evidenceOf, isExchange, isRecord } from './http-probe.js';
import { chat, tokenFor, type VerifyContext } from './verify-context.js';

const TOP = { status: 'string', code: 'string', message: 'string', details: 'object', timestamp: 'string' } as const;
const DETAILS = ['model_id', 'user_tier', 'required_tier', 'upgrade_url'] as const;
// ISO 8601 date-time, e.g. 2025-11-08T12:00:00Z or 2025-11-08T12:00:00.123+01:00.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Test 7: a tier denial is 403 with `Content-Type: application/json` and the guide's body:
 * status, code, message, details (its four members, strings), an ISO-8601 timestamp. Extra
 * top-level members (e.g. OpenAI's `error`) are allowed and named.
 */
export async function checkErrorFormat(ctx: VerifyContext): Promise<Verdict> {
  const model = ctx.expectations.proModel;
  if (!model) return fail('tier-assignments.json has no model that the free tier may not use');
  const t = tokenFor(ctx, 'free');
  if ('verdict' in t) return t.verdict;
  const expected = `403, application/json, {${Object.entries(TOP).map(([k, v]) => `${k}: ${v}`).join(', ')}}, details {${DETAILS.join(', ')}}`;
  const x = await chat(ctx, t.token, model, 'Test');
  if (!isExchange(x)) return fail('no answer', evidenceOf(x, expected, 'no answer'));
  const wrong: string[] = [];
  if (x.status !== 403) wrong.push(`status ${x.status}`);
  if (!/^application\/json\b/i.test(x.headers['content-type'] ?? '')) wrong.push(`Content-Type ${JSON.stringify(x.headers['content-type'] ?? null)}`);
  if (!isRecord(x.json)) wrong.push('body is not a JSON object');
  else {
    const b = x.json;
    for (const [k, type] of Object.entries(TOP)) {
      const actual = b[k] === null ? 'null' : Array.isArray(b[k]) ? 'array' : typeof b[k];
      if (actual !== type) wrong.push(`${k} is ${b[k] === undefined ? 'missing' : actual}`);
    }
    if (typeof b.timestamp === 'string' && !(ISO_8601.test(b.timestamp) && !Number.isNaN(Date.parse(b.timestamp)))) wrong.push(`timestamp ${JSON.stringify(b.timestamp)} is not ISO 8601`);
    if (isRecord(b.details)) {
      for (const k of DETAILS) if (typeof b.details[k] !== 'string' || b.details[k] === '') wrong.push(`details.${k} is ${b.details[k] === undefined ? 'missing' : JSON.stringify(b.details[k])}`);
    }
  }
  if (wrong.length > 0) return fail(wrong.join('; '), evidenceOf(x, expected, wrong.join('; ')));
  const extra = Object.keys(x.json as object).filter((k) => !(k in TOP));
  return pass(`403 application/json with the guide's keys${extra.length > 0 ? ` (and ${extra.join(', ')})` : ''}`);
}
