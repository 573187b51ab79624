/**
 * The cache API the database change listener drives (LISTEN/NOTIFY on `models` and
 * `subscriptions`). Every method is cheap, synchronous and safe to call at any time.
 */
export interface CacheControl {
  /** A row of `models` changed (insert, update or delete): drop what is cached about it. */
  invalidateModel(modelId: string): void;
  /** Drop every cached model (e.g. a statement touched many rows, or the catalog's shape changed). */
  clearModels(): void;
  /** A subscription of this user changed: their tier is read from the database next time. */
  invalidateUserTier(userId: string): void;
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

/** Something that keeps the caches right while the app runs (the LISTEN/NOTIFY listener). */
export interface ChangeListener {
  /** Called once when the app is ready; resolves when it listens (or has scheduled a retry). */
  start(caches: CacheControl): Promise<void>;
  /** Called when the app closes; stops listening and releases its connection. */
  close(): Promise<void>;
}
