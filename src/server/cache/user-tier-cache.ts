/**
 * The caller's tier, read from the database (never from the token) and cached per user for
 * a short TTL, never past the moment their subscription's period ends.
 */
import type { Tier } from '../../tier/index.js';

export interface UserTierEntry {
  /** `null`: the user no longer exists (their token is refused). */
  readonly tier: Tier | null;
  /** When the tier could change by itself (the period end that decided it), if ever. */
  readonly changesAt?: Date;
}

export interface UserTierCache {
  get(userId: string): Promise<{ readonly entry: UserTierEntry; readonly hit: boolean }>;
  /** The cached entry while it is fresh, without waiting (what `get` answers with `hit: true`). */
  peek(userId: string): UserTierEntry | undefined;
  invalidate(userId: string): void;
  clear(): void;
  setLive(live: boolean): void;
}

export interface UserTierCacheOptions {
  readonly ttlMs: number;
  /** At most this many users cached; the oldest go first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Slot {
  readonly entry: UserTierEntry;
  readonly expiresAt: number;
}

export function createUserTierCache(load: (userId: string) => Promise<UserTierEntry>, options: UserTierCacheOptions): UserTierCache {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const slots = new Map<string, Slot>();
  const generation = new Map<string, number>();
  let epoch = 0;
  let live = true;
  const genOf = (userId: string) => `${epoch}:${generation.get(userId) ?? 0}`;
  return {
    async get(userId) {
      const slot = slots.get(userId);
      if (slot && slot.expiresAt > now()) return { entry: slot.entry, hit: true };
      if (slot) slots.delete(userId);
      const before = genOf(userId);
      const entry = await load(userId);
      // An invalidation that arrived while loading wins: use the answer once, do not keep it.
      if (live && before === genOf(userId) && options.ttlMs > 0) {
        const until = Math.min(now() + options.ttlMs, entry.changesAt?.getTime() ?? Number.POSITIVE_INFINITY);
        if (slots.size >= max) slots.delete(slots.keys().next().value as string);
        slots.set(userId, { entry, expiresAt: until });
      }
      return { entry, hit: false };
    },
    peek(userId) {
      const slot = slots.get(userId);
      return slot && slot.expiresAt > now() ? slot.entry : undefined;
    },
    invalidate(userId) {
      slots.delete(userId);
      generation.set(userId, (generation.get(userId) ?? 0) + 1);
      if (generation.size > max) generation.clear(), (epoch += 1);
    },
    clear() {
      slots.clear();
      generation.clear();
      epoch += 1;
    },
    setLive(value) {
      live = value;
      slots.clear();
      generation.clear();
      epoch += 1;
    },
  };
}
