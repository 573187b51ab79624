/** The caches' rules: single-flight loads, TTLs, invalidation that wins over a load in flight, live/not live. */
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/server/queries/model-catalog.js';
import { createHashSlots } from '../../src/server/auth/hash-slots.js';
import { createLoginThrottle, isLoginAttempt, type LoginAttempt, type LoginThrottle } from '../../src/server/auth/login-throttle.js';
import { createModelCache } from '../../src/server/cache/model-cache.js';
import { createUserChanges } from '../../src/server/cache/user-changes.js';
import { createUserTierCache, type UserTierEntry } from '../../src/server/cache/user-tier-cache.js';

const catalog = (n: number): Catalog => ({ models: [], byId: new Map(), tierSchema: n % 2 === 0, policies: n % 2 === 0 ? 'database' : 'none' });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('model cache', () => {
  it('loads once for concurrent misses, then serves hits until the TTL passes', async () => {
    let t = 0;
    let loads = 0;
    const cache = createModelCache(async () => catalog(++loads), { ttlMs: 1000, now: () => t });
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(loads).toBe(1);
    expect([a.hit, b.hit]).toEqual([false, false]);
    expect(a.catalog).toBe(b.catalog);
    expect((await cache.get()).hit).toBe(true);
    t = 1000;
    expect((await cache.get()).hit).toBe(false);
    expect(loads).toBe(2);
  });

  it('does not keep a load that an invalidation overtook', async () => {
    const pending = [deferred<Catalog>(), deferred<Catalog>()];
    let i = 0;
    const cache = createModelCache(() => pending[i++]!.promise, { ttlMs: 60_000 });
    const first = cache.get();
    cache.invalidate('gpt-5');
    const second = cache.get();
    pending[0]!.resolve(catalog(1));
    pending[1]!.resolve(catalog(2));
    expect((await first).catalog.tierSchema).toBe(false);
    expect((await second).catalog.tierSchema).toBe(true);
    const third = await cache.get();
    expect(third.hit).toBe(true);
    expect(third.catalog.tierSchema).toBe(true);
  });

  it('holds nothing while not live, and starts caching again when live', async () => {
    let loads = 0;
    const cache = createModelCache(async () => catalog(++loads), { ttlMs: 60_000 });
    await cache.get();
    cache.setLive(false);
    await cache.get();
    await cache.get();
    expect(loads).toBe(3);
    cache.setLive(true);
    await cache.get();
    expect((await cache.get()).hit).toBe(true);
    expect(loads).toBe(4);
  });
});

describe('user tier cache', () => {
  it('never keeps a tier past the end of the period that gave it', async () => {
    let t = 0;
    let loads = 0;
    const entry: UserTierEntry = { tier: 'pro', changesAt: new Date(100) };
    const cache = createUserTierCache(async () => (loads++, entry), { ttlMs: 10_000, now: () => t });
    await cache.get('u1');
    t = 99;
    expect((await cache.get('u1')).hit).toBe(true);
    t = 100;
    expect((await cache.get('u1')).hit).toBe(false);
    expect(loads).toBe(2);
  });

  it('lets an invalidation that arrives during a load win', async () => {
    const gate = deferred<UserTierEntry>();
    let calls = 0;
    const cache = createUserTierCache(async () => (++calls === 1 ? gate.promise : { tier: 'free' }), { ttlMs: 60_000 });
    const stale = cache.get('u1');
    cache.invalidate('u1');
    gate.resolve({ tier: 'enterprise' });
    expect((await stale).entry.tier).toBe('enterprise');
    const fresh = await cache.get('u1');
    expect(fresh.hit).toBe(false);
    expect(fresh.entry.tier).toBe('free');
  });

  it('keeps at most maxEntries users', async () => {
    let loads = 0;
    const cache = createUserTierCache(async () => (loads++, { tier: 'free' }), { ttlMs: 60_000, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) await cache.get(id);
    expect((await cache.get('c')).hit).toBe(true);
    expect((await cache.get('a')).hit).toBe(false);
    expect(loads).toBe(4);
  });
});

describe('login throttle', () => {
  const fail = (t: LoginThrottle, key: string) => (t.reserve(key) as LoginAttempt).failed();
  const wait = (t: LoginThrottle, key: string) => {
    const r = t.reserve(key);
    if (!isLoginAttempt(r)) return r.retryAfterSeconds;
    r.cancel();
    return 0;
  };

  it('locks a key out after maxFailures until the window has passed, and a success clears it', () => {
    let t = 0;
    const throttle = createLoginThrottle({ maxFailures: 2, windowMs: 10_000, now: () => t });
    fail(throttle, 'k');
    expect(wait(throttle, 'k')).toBe(0);
    fail(throttle, 'k');
    expect(wait(throttle, 'k')).toBe(10);
    t = 9_500;
    expect(wait(throttle, 'k')).toBe(1);
    t = 10_000;
    expect(wait(throttle, 'k')).toBe(0);
    fail(throttle, 'k');
    (throttle.reserve('k') as LoginAttempt).succeeded();
    fail(throttle, 'k');
    expect(wait(throttle, 'k')).toBe(0);
  });

  it('counts attempts in flight: no more than maxFailures reservations at once, cancelled ones give theirs back', () => {
    const throttle = createLoginThrottle({ maxFailures: 3, windowMs: 10_000, now: () => 0 });
    const held = [throttle.reserve('k'), throttle.reserve('k'), throttle.reserve('k')];
    expect(held.every(isLoginAttempt)).toBe(true);
    expect(throttle.reserve('k')).toEqual({ retryAfterSeconds: 1 });
    expect(isLoginAttempt(throttle.reserve('other'))).toBe(true);
    (held[0] as LoginAttempt).cancel();
    (held[0] as LoginAttempt).failed(); // settling twice counts once
    const again = throttle.reserve('k');
    expect(isLoginAttempt(again)).toBe(true);
    for (const a of [held[1], held[2], again] as LoginAttempt[]) a.failed();
    expect(throttle.reserve('k')).toEqual({ retryAfterSeconds: 10 });
  });
});

describe('hash slots', () => {
  it('lets `slots` run, queues `maxQueued` in order, refuses the rest, and hands a released slot to the next waiter', async () => {
    const slots = createHashSlots(2, 1);
    const first = await slots.tryAcquire()!;
    await slots.tryAcquire()!;
    const queued = slots.tryAcquire()!;
    expect(slots.tryAcquire()).toBeUndefined();
    expect(slots.busy).toBe(2);
    let got = false;
    void queued.then(() => (got = true));
    first();
    first(); // a second release is a no-op
    await queued;
    expect(got).toBe(true);
    expect(slots.busy).toBe(2);
    expect(slots.tryAcquire()).toBeDefined();
  });
});

describe('user changes', () => {
  it('reach every subscriber in order until it unsubscribes; one that throws is reported and stops no other', () => {
    const errors: unknown[] = [];
    const hub = createUserChanges((e) => errors.push(e));
    const seen: string[] = [];
    const stop = hub.subscribe((c) => seen.push(`a ${c.kind}`));
    hub.subscribe(() => {
      throw new Error('boom');
    });
    hub.subscribe((c) => seen.push(`c ${c.kind}${'userId' in c ? ` ${c.userId}` : ''}`));
    hub.emit({ kind: 'deleted', userId: 'u1' });
    stop();
    hub.emit({ kind: 'all' });
    expect(seen).toEqual(['a deleted', 'c deleted u1', 'c all']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'boom']);
  });
});
