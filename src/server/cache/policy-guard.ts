/**
 * The catalog loader with the fail-closed rule (DESIGN.md safety rule 5): when the tier
 * columns cannot be read, enforcement loosens only if the migration ledger records the tier
 * migration as rolled back or never applied. Otherwise (the ledger says applied, is
 * unsettled, or cannot be read) the models keep the last policies read from the database;
 * a model with none known gets `'unavailable'` and is refused (503 policy_unavailable).
 */
import type pg from 'pg';
import { loadCatalog, POLICY_UNAVAILABLE, type Catalog, type CatalogModel } from '../queries/model-catalog.js';
import { tierLedgerState, type TierLedgerState } from '../queries/tier-ledger-state.js';
import type { ModelPolicy } from '../../tier/index.js';

export interface GuardedCatalogOptions {
  /** Where the ledger lives (the connection's `?schema=`). */
  readonly schema: string;
  /** Called for every catalog read whose policies could not be read while the ledger forbids loosening. */
  readonly onDegraded?: (catalog: Catalog, ledger: TierLedgerState | 'unreadable') => void;
}

export function createGuardedCatalogLoader(pool: pg.Pool, options: GuardedCatalogOptions): () => Promise<Catalog> {
  let lastKnown: ReadonlyMap<string, ModelPolicy> = new Map();
  return async () => {
    const read = await loadCatalog(pool, options.schema, true);
    if (read.tierSchema) {
      lastKnown = new Map(read.models.flatMap((m) => (m.policy && m.policy !== POLICY_UNAVAILABLE ? [[m.id, m.policy] as const] : [])));
      return read;
    }
    const ledger = await tierLedgerState(pool, options.schema).catch(() => 'unreadable' as const);
    if (ledger === 'not_applied') {
      lastKnown = new Map();
      return read;
    }
    const models: CatalogModel[] = read.models.map((m) => ({ ...m, policy: lastKnown.get(m.id) ?? POLICY_UNAVAILABLE }));
    const catalog: Catalog = {
      models,
      byId: new Map(models.map((m) => [m.id, m])),
      tierSchema: false,
      policies: lastKnown.size > 0 ? 'last_known' : 'unavailable',
    };
    options.onDegraded?.(catalog, ledger);
    return catalog;
  };
}

/** Policies that could not be read now: the catalog is kept at most this long before trying again. */
export const DEGRADED_CATALOG_TTL_MS = 1_000;

export const isDegraded = (catalog: Catalog): boolean => catalog.policies === 'last_known' || catalog.policies === 'unavailable';
