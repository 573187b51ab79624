/**
 * The verified-token memo (token-service.ts) remembers only that a token's signature and
 * claims checked out; who the caller is and their tier come from the user-tier cache on
 * every request, which the LISTEN/NOTIFY invalidation keeps right. So a token verified and
 * remembered a moment ago stops working when its user is deleted, and follows a
 * subscription change, without waiting for the token to expire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app-options.js';
import { getJson, loginToken } from '../helpers/api-client.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const HOUR = 3_600_000;
/** Nothing expires by time during the test: only notifications can explain a change. */
const LONG_CACHES: Partial<AppOptions> = { cache: { modelTtlMs: HOUR, userTierTtlMs: HOUR, schemaRecheckMs: HOUR } };
let app: RunningApp;

beforeAll(async () => {
  await seedSandbox(db());
  app = await startApp(db(), LONG_CACHES);
});
afterAll(async () => {
  await app?.close();
});

const sql = (text: string, params: unknown[] = []) => db().pool.query(text, params);
const listing = (token: string) => getJson(app.url, '/v1/models', token);

describe('a remembered (already verified) token', () => {
  it('follows a subscription change and is refused once its user is deleted', async () => {
    const token = await loginToken(app.url, 'pro@example.com');
    for (let i = 0; i < 3; i++) expect((await listing(token)).body.user_tier).toBe('pro');
    await sql(`UPDATE subscriptions SET tier = 'enterprise' WHERE user_id = (SELECT id FROM users WHERE email = 'pro@example.com')`);
    await waitFor('the new tier for the remembered token', async () => (await listing(token)).body.user_tier === 'enterprise', 1_000, 10);
    await sql(`DELETE FROM users WHERE email = 'pro@example.com'`);
    await waitFor('the remembered token to be refused', async () => (await listing(token)).status === 401, 1_000, 10);
    expect((await listing(token)).body.code).toBe('invalid_token');
  });
});
