import type { DatabaseTarget } from '../shared/database-target.js';
import type { Tier } from '../tier/index.js';
import { fail, type Evidence, type Verdict } from './check-result.js';
import type { Expectations } from './expectations.js';
import { evidenceOf, isExchange, isRecord, probe, type Exchange } from './http-probe.js';

/** A test user's login: a token, or the evidence of why there is none. */
export type Login = { readonly token: string } | { readonly evidence: Evidence };

/** What every check gets. */
export interface VerifyContext {
  readonly apiUrl: string;
  readonly database?: DatabaseTarget;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly expectations: Expectations;
  readonly logins: ReadonlyMap<Tier, Login>;
}

export async function login(apiUrl: string, email: string, password: string, o: { timeoutMs: number; signal?: AbortSignal }): Promise<Login> {
  const x = await probe(apiUrl, 'POST', '/v1/auth/login', { body: { email, password }, ...o });
  const expected = `200 with an access_token for ${email}`;
  if (!isExchange(x)) return { evidence: evidenceOf(x, expected, 'no answer') };
  const token = isRecord(x.json) ? x.json.access_token : undefined;
  if (x.status === 200 && typeof token === 'string' && token.length > 0) return { token };
  // The answer may echo the password back in a broken backend: keep only status and shape.
  return { evidence: { request: `POST /v1/auth/login (${email})`, status: x.status, headers: x.headers, expected, actual: `HTTP ${x.status}${isRecord(x.json) ? ` with keys ${Object.keys(x.json).join(', ')}` : ', not JSON'}` } };
}

/** The token of the test user of `tier`, or a failed verdict saying why there is none. */
export function tokenFor(ctx: VerifyContext, tier: Tier): { token: string } | { verdict: Verdict } {
  const l = ctx.logins.get(tier);
  if (!l) return { verdict: fail(`no ${tier} test user in test-users.json`) };
  if ('token' in l) return l;
  return { verdict: fail(`the ${tier} test user could not log in`, l.evidence) };
}

export type Listing = { readonly exchange: Exchange; readonly models: readonly Record<string, unknown>[]; readonly body: Record<string, unknown> };

/** `GET /v1/models` (with a token or anonymously), checked to be 200 with a `models` array. */
export async function listModels(ctx: VerifyContext, token?: string): Promise<Listing | { verdict: Verdict }> {
  const x = await probe(ctx.apiUrl, 'GET', '/v1/models', { timeoutMs: ctx.timeoutMs, ...(token ? { token } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const expected = '200 with {models: [...], total, user_tier}';
  if (!isExchange(x)) return { verdict: fail('GET /v1/models got no answer', evidenceOf(x, expected, 'no answer')) };
  if (x.status !== 200 || !isRecord(x.json) || !Array.isArray(x.json.models)) {
    return { verdict: fail(`GET /v1/models answered ${x.status}${isRecord(x.json) ? '' : ' (not JSON)'}`, evidenceOf(x, expected, `HTTP ${x.status}`)) };
  }
  return { exchange: x, models: x.json.models.filter(isRecord), body: x.json };
}

/** `POST /v1/chat/completions` for `model` with the guide's message. */
export function chat(ctx: VerifyContext, token: string, model: string, content: string) {
  return probe(ctx.apiUrl, 'POST', '/v1/chat/completions', { token, body: { model, messages: [{ role: 'user', content }] }, timeoutMs: ctx.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
}
