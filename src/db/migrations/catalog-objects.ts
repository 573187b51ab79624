import type pg from 'pg';

/**
 * Every object of a schema a migration can add, drop or change, each under a stable key
 * (`table models`, `column models.required_tier`, `index models_required_tier_idx`,
 * `type subscription_tier`, `trigger models.models_tierctl_cache_notify`, `function
 * tierctl_notify_cache_change()`, `constraint subscriptions.subscriptions_user_id_fkey`,
 * `sequence ...`, `view ...`) with its definition. Two snapshots diff into what was added,
 * removed and changed: the "catalog diff" a rollback is judged by. tierctl's and Prisma's
 * own tables are left out.
 */
export type CatalogObjects = Readonly<Record<string, string>>;

export interface CatalogDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

const OWN_TABLE = `NOT (c.relname LIKE '\\_prisma%' OR c.relname LIKE '\\_tierctl%')`;

const QUERY = `
SELECT 'table ' || c.relname AS key, c.relkind::text AS def
  FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'f') AND ${OWN_TABLE}
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || c.relname,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) ELSE c.relkind::text END
  FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('S', 'v', 'm') AND NOT (c.relname LIKE '\\_prisma%' OR c.relname LIKE '\\_tierctl%')
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND ${OWN_TABLE}
UNION ALL
SELECT 'index ' || c.relname, pg_get_indexdef(c.oid)
  FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid
 WHERE c.relnamespace = $1::regnamespace AND NOT (t.relname LIKE '\\_prisma%' OR t.relname LIKE '\\_tierctl%')
UNION ALL
SELECT 'constraint ' || c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
 WHERE c.relnamespace = $1::regnamespace AND ${OWN_TABLE}
UNION ALL
SELECT 'type ' || t.typname,
       CASE t.typtype WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                      WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod)
                      ELSE 'type ' || t.typtype::text END
  FROM pg_type t
 WHERE t.typnamespace = $1::regnamespace AND t.typtype IN ('e', 'd', 'c', 'r')
   AND NOT (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c'))
UNION ALL
SELECT 'trigger ' || c.relname || '.' || g.tgname, pg_get_triggerdef(g.oid)
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
 WHERE c.relnamespace = $1::regnamespace AND NOT g.tgisinternal
UNION ALL
SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', md5(pg_get_functiondef(p.oid))
  FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND p.prokind IN ('f', 'p')
`;

/** The objects of `schema` now (inside the caller's transaction, if any). */
export async function catalogObjects(client: pg.ClientBase, schema: string): Promise<CatalogObjects> {
  const { rows } = await client.query<{ key: string; def: string | null }>(QUERY, [schema]);
  return Object.fromEntries(rows.map((r) => [r.key, r.def ?? '']));
}

/** What changed from `before` to `after`, each list sorted. */
export function diffCatalog(before: CatalogObjects, after: CatalogObjects): CatalogDiff {
  const added = Object.keys(after).filter((k) => !(k in before)).sort();
  const removed = Object.keys(before).filter((k) => !(k in after)).sort();
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]).sort();
  return { added, removed, changed };
}

export const isEmptyDiff = (d: CatalogDiff): boolean => d.added.length + d.removed.length + d.changed.length === 0;

/**
 * What a rollback did beyond undoing its migration: removed objects the migration did not
 * add, changed objects it did not change, added objects it did not remove. Empty: the
 * rollback removed only what its migration added.
 */
export function beyondMigration(rollback: CatalogDiff, migration: CatalogDiff): CatalogDiff {
  return {
    removed: rollback.removed.filter((k) => !migration.added.includes(k)),
    changed: rollback.changed.filter((k) => !migration.changed.includes(k)),
    added: rollback.added.filter((k) => !migration.removed.includes(k)),
  };
}

/** One line per object, for a refusal: `removed table users`, ... */
export function describeDiff(d: CatalogDiff): string[] {
  return [...d.removed.map((k) => `removed ${k}`), ...d.changed.map((k) => `changed ${k}`), ...d.added.map((k) => `added ${k}`)];
}
