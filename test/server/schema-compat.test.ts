/**
 * Backward compatibility both ways: the server runs on a database without the tier columns
 * (baseline, or rolled back) and enforces nothing; it picks the tier schema up when the
 * migration is applied while it runs, and survives the rollback while it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { applyTierAssignments } from '../../src/db/tier-assignments.js';
import { loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { unwrap } from '../../src/shared/failure.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { captureLog } from '../helpers/capture-log.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('baseline');
const log = captureLog('info');
let server: RunningApp;
let free: string;

async function tierMigration() {
  const m = (await loadMigrations()).find((x) => x.name === TIER_MIGRATION)!;
  return { up: m.sql, down: m.downSql! };
}

beforeAll(async () => {
  await seedSandbox(db(), { assignments: false });
  server = await startApp(db(), { logger: log.logger, cache: { schemaRecheckMs: 100 } });
  free = await loginToken(server.url, 'free@example.com');
});
afterAll(async () => {
  await server?.close();
});

const gpt5AsFree = () => postJson(server.url, '/v1/chat/completions', chat('gpt-5'), free);

describe('a database without the tier migration', () => {
  it('serves models without tier fields and logs that the tier schema is absent', async () => {
    const res = await getJson(server.url, '/v1/models', free);
    expect(res.status).toBe(200);
    expect(res.body.user_tier).toBe('free');
    for (const m of res.body.models) {
      expect(m).toMatchObject({ id: expect.any(String), name: expect.any(String), provider: 'mock' });
      for (const field of ['required_tier', 'tier_restriction_mode', 'allowed_tiers', 'access_status']) expect(m).not.toHaveProperty(field);
    }
    expect(log.find('Tier schema absent')).toHaveLength(1);
  });

  it('enforces nothing: a free user gets gpt-5', async () => {
    const res = await gpt5AsFree();
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('chat.completion');
  });

  it('picks the tier schema up when the migration is applied while it runs', async () => {
    const { up } = await tierMigration();
    await db().pool.query(up);
    const client = await db().pool.connect();
    try {
      const outcome = await applyTierAssignments(client, 'public', unwrap(await loadTierAssignments()));
      expect(outcome).not.toHaveProperty('missing');
    } finally {
      client.release();
    }
    const denied = await waitFor('enforcement after the migration', async () => {
      const res = await gpt5AsFree();
      return res.status === 403 ? res : undefined;
    });
    expect(denied.body.message).toBe('Model access restricted: Requires Enterprise tier or higher');
    const listing = await getJson(server.url, '/v1/models', free);
    expect(listing.body.models.find((m: { id: string }) => m.id === 'gpt-5')).toMatchObject({ required_tier: 'enterprise', access_status: 'upgrade_required' });
    expect(log.find('Tier schema present')).toHaveLength(1);
  });

  it('keeps answering through a rollback while it runs, then stops enforcing', async () => {
    const { down } = await tierMigration();
    await db().pool.query(down);
    const res = await waitFor('no enforcement after the rollback', async () => {
      const r = await gpt5AsFree();
      expect(r.status).toBeLessThan(500);
      return r.status === 200 ? r : undefined;
    });
    expect(res.body.object).toBe('chat.completion');
    expect(log.find('Tier schema absent')).toHaveLength(2);
  });
});

describe('a rollback met by a catalog read (undefined_column)', () => {
  it('falls back to the baseline query inside the request that met it', async () => {
    const { up, down } = await tierMigration();
    await db().pool.query(up);
    // A second app that never rechecks by itself: only a failing query can tell it.
    const slow = await startApp(db(), { cache: { schemaRecheckMs: 3_600_000 } });
    try {
      const token = await loginToken(slow.url, 'free@example.com');
      const before = await getJson(slow.url, '/v1/models', token);
      expect(before.body.models[0]).toHaveProperty('required_tier');
      await db().pool.query(down);
      slow.app.caches.clearModels();
      const during = await postJson(slow.url, '/v1/chat/completions', chat('gpt-5'), token);
      expect(during.status).toBe(200);
      const after = await getJson(slow.url, '/v1/models', token);
      expect(after.status).toBe(200);
      expect(after.body.models[0]).not.toHaveProperty('required_tier');
    } finally {
      await slow.close();
    }
  });
});
