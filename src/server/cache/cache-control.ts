/**
 * The cache API the database change listener drives (LISTEN/NOTIFY on `models`,
 * `subscriptions` and `users`, or polling the change counter). Every method is cheap,
 * synchronous and safe to call at any time.
 */
export interface CacheControl {
  /** A row of `models` changed (insert, update or delete): drop what is cached about it. */
  invalidateModel(modelId: string): void;
  /** Drop every cached model (e.g. a statement touched many rows, or the catalog's shape changed). */
  clearModels(): void;
  /** A subscription of this user changed: their tier is read from the database next time. */
  invalidateUserTier(userId: string): void;
  /** This user was deleted: their tier is read (and found missing) next time. */
  userDeleted(userId: string): void;
  clearUserTiers(): void;
  /**
   * The schema may have changed (a migration or rollback committed): drop every cached model
   * and read the tier columns afresh on the next catalog load.
   */
  schemaChanged(): void;
  /**
   * `false` while notifications cannot arrive (listener disconnected): both caches are
   * cleared and hold nothing until `setLive(true)`, so no stale tier or policy is served.
   * Caches start live; with no listener, entries expire by TTL only.
   */
  setLive(live: boolean): void;
}

/**
 * How the caches learn about changes right now: `listen` (LISTEN/NOTIFY, proven by a round
 * trip), `poll` (the change counter, when LISTEN does not deliver: a transaction pooler),
 * `off` (neither works at the moment: the caches are off, every request reads the database).
 */
export type InvalidationMode = 'listen' | 'poll' | 'off';

/** Something that keeps the caches right while the app runs (the LISTEN/NOTIFY listener). */
export interface ChangeListener {
  /** Reported by /health and /metrics. */
  readonly mode: InvalidationMode;
  /** Called once when the app is ready; resolves when it listens (or has scheduled a retry). */
  start(caches: CacheControl): Promise<void>;
  /** Called when the app closes; stops listening and releases its connection. */
  close(): Promise<void>;
}
