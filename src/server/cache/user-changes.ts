/**
 * A small typed event API over the cache-invalidation layer, for caches keyed by something
 * else than the user id (e.g. a verified-token cache): every change to a user that the
 * server learns of, from a NOTIFY of the triggers on `subscriptions` and `users`, or from
 * the change counter moving while polling.
 */
export type UserChange =
  /** One of this user's subscriptions changed (their tier may have). */
  | { readonly kind: 'subscription'; readonly userId: string }
  /** This user was deleted: everything held for them must go. */
  | { readonly kind: 'deleted'; readonly userId: string }
  /**
   * Any user may have changed: a TRUNCATE, the change counter moved, notifications could
   * not arrive for a while, or the caches were switched off or on. Drop everything.
   */
  | { readonly kind: 'all' };

export interface UserChanges {
  /**
   * Calls `listener` synchronously for every change, until the returned function is
   * called. A listener that throws is logged through `onError` and never stops the others.
   */
  subscribe(listener: (change: UserChange) => void): () => void;
}

export interface UserChangeHub extends UserChanges {
  emit(change: UserChange): void;
}

export function createUserChanges(onError: (e: unknown) => void = () => {}): UserChangeHub {
  const listeners = new Set<(change: UserChange) => void>();
  return {
    subscribe(listener) {
      const entry = (change: UserChange) => listener(change);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    emit(change) {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (e) {
          onError(e);
        }
      }
    },
  };
}
