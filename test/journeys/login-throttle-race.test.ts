/**
 * Issue 13 case 9, as an attacker meets a live server: 30 wrong guesses for one account sent
 * at once get exactly `maxFailures` password checks (401) and 429 with Retry-After for the
 * rest, because the attempt is reserved before the first await. Password hashing is bounded
 * too: with every hashing slot and the queue taken, a login is answered 429 at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type JsonResponse } from '../helpers/api-client.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
let server: RunningApp;

beforeAll(async () => {
  await seedSandbox(db());
  server = await startApp(db(), { loginThrottle: { maxFailures: 5, windowMs: 60_000 } });
});
afterAll(async () => {
  await server?.close();
});

const login = (email: string, password: string) => postJson(server.url, '/v1/auth/login', { email, password });
const count = (answers: JsonResponse[], status: number) => answers.filter((a) => a.status === status).length;

describe('30 concurrent wrong guesses for one account', () => {
  it('get 5 password checks (401) and 25 refusals (429 with Retry-After)', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login('free@example.com', `wrong-guess-${i}`)));
    expect(count(answers, 401)).toBe(5);
    expect(count(answers, 429)).toBe(25);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body.code).toBe('too_many_login_attempts');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The right password is refused too until the window ends: the guesses used it up.
    expect((await login('free@example.com', 'Password123!')).status).toBe(429);
    // Another account from the same address is untouched.
    expect((await login('pro@example.com', 'Password123!')).status).toBe(200);
  });
});

describe('concurrent password hashing is bounded', () => {
  let busy: RunningApp;
  beforeAll(async () => {
    busy = await startApp(db(), { loginThrottle: { maxFailures: 5, windowMs: 60_000, maxConcurrentHashes: 1, maxQueuedHashes: 1 } });
  });
  afterAll(async () => {
    await busy?.close();
  });

  it('answers 429 login_busy with Retry-After beyond one hashing and one waiting login, and every login is answered', async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `nobody-${i}@example.com`);
    const answers = await Promise.all(emails.map((email) => postJson(busy.url, '/v1/auth/login', { email, password: 'x' })));
    const busyAnswers = answers.filter((a) => a.status === 429);
    expect(busyAnswers.length).toBeGreaterThan(0);
    expect(count(answers, 401) + busyAnswers.length).toBe(12);
    for (const a of busyAnswers) {
      expect(a.body.code).toBe('login_busy');
      expect(a.headers.get('retry-after')).toBe('1');
    }
    // Once the burst is over, the slots are free again.
    expect((await postJson(busy.url, '/v1/auth/login', { email: 'enterprise@example.com', password: 'Password123!' })).status).toBe(200);
  });
});
