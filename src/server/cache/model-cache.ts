/**
 * The model catalog, cached whole: lookups by id (including unknown ids) never touch the
 * database while the snapshot is fresh. Loads are single-flight; an invalidation during a
 * load means that load's result is used once and not kept.
 */
import type { Catalog } from '../queries/model-catalog.js';

export interface ModelCache {
  /** The catalog and whether it came from the cache. */
  get(): Promise<{ readonly catalog: Catalog; readonly hit: boolean }>;
  /** The cached catalog while it is fresh, without waiting (what `get` answers with `hit: true`). */
  peek(): Catalog | undefined;
  /** Drops the snapshot (the catalog is small: one model's change reloads it all). */
  invalidate(modelId: string): void;
  clear(): void;
  setLive(live: boolean): void;
}

export interface ModelCacheOptions {
  readonly ttlMs: number;
  /** A shorter lifetime for some catalogs (e.g. ones whose policies could not be read). */
  readonly ttlOf?: (catalog: Catalog) => number;
  readonly now?: () => number;
}

export function createModelCache(load: () => Promise<Catalog>, options: ModelCacheOptions): ModelCache {
  const now = options.now ?? Date.now;
  let snapshot: { catalog: Catalog; expiresAt: number } | undefined;
  let pending: { promise: Promise<Catalog>; generation: number } | undefined;
  let generation = 0;
  let live = true;
  const drop = () => {
    snapshot = undefined;
    generation += 1;
  };
  const start = () => {
    const gen = generation;
    const promise = load().then(
      (catalog) => {
        if (pending?.promise === promise) pending = undefined;
        const ttl = Math.min(options.ttlMs, options.ttlOf?.(catalog) ?? options.ttlMs);
        if (live && gen === generation && ttl > 0) snapshot = { catalog, expiresAt: now() + ttl };
        return catalog;
      },
      (e: unknown) => {
        if (pending?.promise === promise) pending = undefined;
        throw e;
      },
    );
    pending = { promise, generation: gen };
    return promise;
  };
  return {
    async get() {
      if (snapshot && snapshot.expiresAt > now()) return { catalog: snapshot.catalog, hit: true };
      snapshot = undefined;
      const inFlight = pending && pending.generation === generation ? pending.promise : start();
      return { catalog: await inFlight, hit: false };
    },
    peek: () => (snapshot && snapshot.expiresAt > now() ? snapshot.catalog : undefined),
    invalidate: drop,
    clear: drop,
    setLive(value) {
      live = value;
      drop();
    },
  };
}
