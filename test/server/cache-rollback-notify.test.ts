/**
 * `migrate rollback` while the server runs: the trigger migration's down.sql notifies
 * `{"table":"*"}` at commit, so a running instance drops the tier fields at once, though its
 * catalog TTL and schema re-check are an hour; re-applying notifies again and they come back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { apply, rollback } from '../helpers/migrate.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('none');
const HOUR = 3_600_000;
let server: RunningApp;
let deaf: RunningApp;
let pro: string;

beforeAll(async () => {
  await apply(db());
  await seedSandbox(db());
  const cache = { modelTtlMs: HOUR, userTierTtlMs: HOUR, schemaRecheckMs: HOUR };
  [server, deaf] = await Promise.all([startApp(db(), { cache }), startApp(db(), { cache, changeListener: false })]);
  pro = await loginToken(server.url, 'pro@example.com');
});
afterAll(async () => {
  await Promise.all([server?.close(), deaf?.close()]);
});

const tierFields = async (s: RunningApp) => {
  const res = await getJson(s.url, '/v1/models', pro);
  expect(res.status).toBe(200);
  return (res.body.models as Record<string, unknown>[]).filter((m) => 'required_tier' in m).length;
};
const gpt5 = async (s: RunningApp) => (await postJson(s.url, '/v1/chat/completions', chat('gpt-5'), pro)).status;

describe('rolling back and re-applying while the server runs', () => {
  it('drops the tier fields within a second of the rollback, and picks them up again after apply', async () => {
    const models = (await getJson(server.url, '/v1/models', pro)).body.total as number;
    for (const s of [server, deaf]) {
      expect(await tierFields(s)).toBe(models);
      expect(await gpt5(s)).toBe(403);
    }
    const report = await rollback(db(), { acceptLoss: true, reason: 'cache invalidation test' });
    const migrations = await loadMigrations();
    expect([...report.rolledBack].sort()).toEqual(migrations.filter((m) => m.name >= TIER_MIGRATION).map((m) => m.name));
    await waitFor('/v1/models without tier fields', async () => (await tierFields(server)) === 0, 1_000, 10);
    expect(await gpt5(server)).toBe(200); // no tier schema: nothing enforced
    expect(await tierFields(deaf)).toBe(models); // its cached catalog outlives the rollback

    await apply(db());
    await waitFor('/v1/models with tier fields again', async () => (await tierFields(server)) === models, 1_000, 10);
    // The tier values went with the rollback: every model is back at the default (free).
    expect(await gpt5(server)).toBe(200);
    const listing = (await getJson(server.url, '/v1/models', pro)).body.models as Record<string, unknown>[];
    expect(new Set(listing.map((m) => m.required_tier))).toEqual(new Set(['free']));
  });
});
