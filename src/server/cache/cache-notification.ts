/**
 * What a NOTIFY on `tierctl_cache` means for the caches. The triggers of migration
 * 20251108000100_tier_cache_invalidation send `{"table":"models","op":...,"id":...}` and
 * `{"table":"subscriptions","op":...,"user_id":...}`, those of
 * 20251108000200_tier_cache_users_and_version `{"table":"users","op":"DELETE","id":...}` (no
 * key after a TRUNCATE or for an oversized key); migrations send `{"table":"*"}`. Anything
 * else is read as "drop everything": an unknown message must never leave a stale answer behind.
 */
import type { CacheControl } from './cache-control.js';

/** The channel the triggers notify and the server listens on. */
export const CACHE_CHANNEL = 'tierctl_cache';

export type CacheChange =
  | { readonly kind: 'model'; readonly id: string }
  | { readonly kind: 'all-models' }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'user-deleted'; readonly userId: string }
  | { readonly kind: 'all-users' }
  /** The schema changed, or the message was not understood. */
  | { readonly kind: 'everything' };

const EVERYTHING: CacheChange = { kind: 'everything' };

export function parseCacheNotification(payload: string | undefined): CacheChange {
  let message: unknown;
  try {
    message = JSON.parse(payload ?? '');
  } catch {
    return EVERYTHING;
  }
  if (typeof message !== 'object' || message === null) return EVERYTHING;
  const { table, id, user_id: userId } = message as Record<string, unknown>;
  if (table === 'models') return typeof id === 'string' ? { kind: 'model', id } : { kind: 'all-models' };
  if (table === 'subscriptions') return typeof userId === 'string' ? { kind: 'user', userId } : { kind: 'all-users' };
  if (table === 'users') return typeof id === 'string' ? { kind: 'user-deleted', userId: id } : { kind: 'all-users' };
  return EVERYTHING;
}

export function applyCacheChange(caches: CacheControl, change: CacheChange): void {
  switch (change.kind) {
    case 'model':
      return caches.invalidateModel(change.id);
    case 'all-models':
      return caches.clearModels();
    case 'user':
      return caches.invalidateUserTier(change.userId);
    case 'user-deleted':
      return caches.userDeleted(change.userId);
    case 'all-users':
      return caches.clearUserTiers();
    case 'everything':
      caches.schemaChanged();
      return caches.clearUserTiers();
  }
}
