import type pg from 'pg';

export interface ColumnShape {
  readonly table: string;
  readonly column: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly default: string | null;
}

export interface IndexShape {
  readonly table: string;
  readonly name: string;
  readonly definition: string;
}

/** The shape of a schema's tables: what a migration or its rollback must get exactly right. */
export interface CatalogSnapshot {
  readonly columns: readonly ColumnShape[];
  readonly indexes: readonly IndexShape[];
  readonly enums: Readonly<Record<string, readonly string[]>>;
}

/**
 * Reads columns (information_schema), indexes (pg_indexes) and enum labels of `schema`,
 * in a stable order so that two snapshots compare with a deep equality. Ledger tables
 * (`_prisma_migrations`, `_tierctl_*`) are left out: they are not the application's shape.
 */
export async function catalogSnapshot(client: pg.ClientBase, schema: string): Promise<CatalogSnapshot> {
  const columns = await client.query<{ table: string; column: string; type: string; nullable: boolean; default: string | null }>(
    `SELECT table_name AS "table", column_name AS "column",
            CASE WHEN data_type = 'ARRAY' THEN substr(udt_name, 2) || '[]'
                 WHEN data_type = 'USER-DEFINED' THEN udt_name
                 WHEN character_maximum_length IS NOT NULL THEN data_type || '(' || character_maximum_length || ')'
                 ELSE data_type END AS "type",
            is_nullable = 'YES' AS "nullable", column_default AS "default"
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name NOT LIKE '\\_prisma%' AND table_name NOT LIKE '\\_tierctl%'
      ORDER BY table_name, column_name`,
    [schema],
  );
  const indexes = await client.query<IndexShape>(
    `SELECT tablename AS "table", indexname AS "name", indexdef AS "definition"
       FROM pg_indexes
      WHERE schemaname = $1 AND tablename NOT LIKE '\\_prisma%' AND tablename NOT LIKE '\\_tierctl%'
      ORDER BY tablename, indexname`,
    [schema],
  );
  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname ORDER BY t.typname`,
    [schema],
  );
  return {
    columns: columns.rows,
    indexes: indexes.rows,
    enums: Object.fromEntries(enums.rows.map((r) => [r.name, r.labels])),
  };
}
