/** Small HTTP helpers for tests that talk to a running app. */
import { GUIDE_TEST_PASSWORD } from '../../src/fixtures/load-fixtures.js';

export interface JsonResponse<T = Record<string, any>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

async function asJson<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { _raw: text };
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export async function getJson<T = Record<string, any>>(base: string, path: string, token?: string): Promise<JsonResponse<T>> {
  return asJson<T>(await fetch(base + path, { headers: auth(token) }));
}

/** POSTs `body` (an object is JSON-encoded; a string is sent as it is). */
export async function postJson<T = Record<string, any>>(base: string, path: string, body: unknown, token?: string): Promise<JsonResponse<T>> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return asJson<T>(await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(token) }, body: payload }));
}

/** Logs in and returns the access token (throws on anything but 200). */
export async function loginToken(base: string, email: string, password = GUIDE_TEST_PASSWORD): Promise<string> {
  const res = await postJson(base, '/v1/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export const chat = (model: unknown, content = 'Hello', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });
