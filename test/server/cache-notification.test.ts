/**
 * What each `tierctl_cache` payload does to the caches (anything not understood drops
 * everything), and a listener that cannot reach its database.
 */
import { describe, expect, it } from 'vitest';
import type { CacheControl } from '../../src/server/cache/cache-control.js';
import { applyCacheChange, parseCacheNotification } from '../../src/server/cache/cache-notification.js';
import { createPgChangeListener } from '../../src/server/cache/pg-change-listener.js';
import { captureLog } from '../helpers/capture-log.js';
import { waitFor } from '../helpers/wait-for.js';

function recorder() {
  const calls: string[] = [];
  const caches: CacheControl = {
    invalidateModel: (id) => calls.push(`model ${id}`),
    clearModels: () => calls.push('clear models'),
    invalidateUserTier: (id) => calls.push(`user ${id}`),
    userDeleted: (id) => calls.push(`deleted ${id}`),
    clearUserTiers: () => calls.push('clear users'),
    schemaChanged: () => calls.push('schema'),
    setLive: (live) => calls.push(`live ${live}`),
  };
  return { caches, calls };
}

const effect = (payload: string | undefined) => {
  const { caches, calls } = recorder();
  applyCacheChange(caches, parseCacheNotification(payload));
  return calls;
};

describe('cache notifications', () => {
  it("maps the triggers' payloads (as PostgreSQL's json_build_object writes them) to one invalidation", () => {
    expect(effect('{"table" : "models", "op" : "UPDATE", "id" : "gpt-5"}')).toEqual(['model gpt-5']);
    expect(effect('{"table" : "subscriptions", "op" : "DELETE", "user_id" : "aaaaaaaa-bbbb-cccc-dddd-000000000001"}')).toEqual(['user aaaaaaaa-bbbb-cccc-dddd-000000000001']);
    expect(effect('{"table" : "models", "op" : "TRUNCATE"}')).toEqual(['clear models']);
    expect(effect('{"table" : "subscriptions", "op" : "INSERT"}')).toEqual(['clear users']);
    expect(effect('{"table" : "users", "op" : "DELETE", "id" : "aaaaaaaa-bbbb-cccc-dddd-000000000001"}')).toEqual(['deleted aaaaaaaa-bbbb-cccc-dddd-000000000001']);
    expect(effect('{"table" : "users", "op" : "TRUNCATE"}')).toEqual(['clear users']);
  });

  it('treats the migrations\' {"table":"*"} and anything unexpected as "drop everything, re-read the schema"', () => {
    for (const payload of ['{"table":"*"}', '', undefined, 'not json', '[1]', 'null', '{"table":"accounts","id":"x"}']) {
      expect(effect(payload), String(payload)).toEqual(['schema', 'clear users']);
    }
    // A key that is not a string: every model goes, not a lookup by a wrong id.
    expect(effect('{"table":"models","id":42}')).toEqual(['clear models']);
  });
});

describe('a listener whose database cannot be reached', () => {
  it('still starts, switches the caches off, keeps retrying, and stops on close', async () => {
    const log = captureLog('info');
    const { caches, calls } = recorder();
    // Port 1 on loopback: connection refused at once.
    const listener = createPgChangeListener({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', log: log.logger, retryInitialMs: 10, retryMaxMs: 20 });
    await listener.start(caches);
    expect(listener.listening).toBe(false);
    expect(calls).toEqual(['live false']);
    await waitFor('three retries', async () => log.find('Cache invalidation: LISTEN connection lost').length >= 3, 5_000, 10);
    await listener.close();
    const attempts = log.find('Cache invalidation: LISTEN connection lost').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(log.find('Cache invalidation: LISTEN connection lost').length).toBe(attempts);
    expect(calls.every((c) => c === 'live false')).toBe(true);
  });
});
