/** What each `tierctl_cache` payload does to the caches; anything not understood drops everything. */
import { describe, expect, it } from 'vitest';
import type { CacheControl } from '../../src/server/cache/cache-control.js';
import { applyCacheChange, parseCacheNotification } from '../../src/server/cache/cache-notification.js';

function recorder() {
  const calls: string[] = [];
  const caches: CacheControl = {
    invalidateModel: (id) => calls.push(`model ${id}`),
    clearModels: () => calls.push('clear models'),
    invalidateUserTier: (id) => calls.push(`user ${id}`),
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
  });

  it('treats the migrations\' {"table":"*"} and anything unexpected as "drop everything, re-read the schema"', () => {
    for (const payload of ['{"table":"*"}', '', undefined, 'not json', '[1]', 'null', '{"table":"users","id":"x"}']) {
      expect(effect(payload), String(payload)).toEqual(['schema', 'clear users']);
    }
    // A key that is not a string: every model goes, not a lookup by a wrong id.
    expect(effect('{"table":"models","id":42}')).toEqual(['clear models']);
  });
});
