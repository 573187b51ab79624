import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { catalogSnapshot, type CatalogSnapshot } from './catalog-snapshot.js';
import type { MigrationFile } from './migration-files.js';
import { quoteIdent } from '../sql.js';

/**
 * What the migrations would have built, against what `schema` has: the migrations are
 * replayed in a throwaway schema inside a transaction that is always rolled back (no
 * scratch database, so no CREATEDB privilege needed; nothing is left behind, even if
 * killed), and the two catalogs are compared: tables' columns with type, nullability and
 * default, indexes with their definition, enum labels. Not compared: foreign keys and
 * check constraints (other than through their indexes), triggers, functions, privileges.
 */
export async function compareWithMigrations(client: pg.ClientBase, schema: string, files: readonly MigrationFile[]): Promise<{ expected: CatalogSnapshot; actual: CatalogSnapshot; differences: string[] }> {
  const scratch = `_tierctl_baseline_check_${randomBytes(4).toString('hex')}`;
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA ${quoteIdent(scratch)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(scratch)}`);
    for (const file of files) await client.query(file.sql);
    const expected = normalise(await catalogSnapshot(client, scratch), scratch, schema);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    const actual = await catalogSnapshot(client, schema);
    return { expected, actual, differences: catalogDifferences(expected, actual) };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** The scratch schema's name, where it shows in definitions, replaced by the real one. */
function normalise(snapshot: CatalogSnapshot, from: string, to: string): CatalogSnapshot {
  const fix = (s: string) => s.replaceAll(`${quoteIdent(from)}.`, `${quoteIdent(to)}.`).replaceAll(`${from}.`, `${to}.`);
  return {
    columns: snapshot.columns.map((c) => ({ ...c, default: c.default === null ? null : fix(c.default) })),
    indexes: snapshot.indexes.map((i) => ({ ...i, definition: fix(i.definition) })),
    enums: snapshot.enums,
  };
}

/** Every difference, one line each: missing, extra, or different columns, indexes and enums. */
export function catalogDifferences(expected: CatalogSnapshot, actual: CatalogSnapshot): string[] {
  const lines: string[] = [];
  const compare = <T>(what: string, a: Map<string, T>, b: Map<string, T>, show: (x: T) => string) => {
    for (const [key, want] of a) {
      const got = b.get(key);
      if (got === undefined) lines.push(`missing ${what} ${key} (${show(want)})`);
      else if (show(got) !== show(want)) lines.push(`${what} ${key} differs: expected ${show(want)}, found ${show(got)}`);
    }
    for (const [key, got] of b) if (!a.has(key)) lines.push(`extra ${what} ${key} (${show(got)})`);
  };
  const columns = (s: CatalogSnapshot) => new Map(s.columns.map((c) => [`${c.table}.${c.column}`, c]));
  compare('column', columns(expected), columns(actual), (c) => `${c.type}${c.nullable ? '' : ' NOT NULL'}${c.default === null ? '' : ` DEFAULT ${c.default}`}`);
  const indexes = (s: CatalogSnapshot) => new Map(s.indexes.map((i) => [i.name, i]));
  compare('index', indexes(expected), indexes(actual), (i) => i.definition);
  const enums = (s: CatalogSnapshot) => new Map(Object.entries(s.enums));
  compare('enum', enums(expected), enums(actual), (labels) => labels.join(', '));
  return lines;
}
