import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { engineMigrationList, NO_FILTERS, startSchemaEngine, type SchemaEngine } from '../helpers/prisma-schema-engine.js';
import { ADMIN_URL, catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * `prisma migrate diff --from-migrations prisma/migrations --to-schema prisma/schema.prisma
 * --exit-code`, run by Prisma's own schema engine (its WebAssembly build): the migrations
 * replayed in a shadow database and the schema describe the same tables, columns,
 * nullability, defaults and indexes.
 */
let engine: SchemaEngine;
let schema: string;

const diff = async (datamodel: string) =>
  engine.diff({
    from: { tag: 'migrations', ...(await engineMigrationList()) },
    to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: datamodel }] } as never,
    script: true,
    exitCode: true,
    filters: NO_FILTERS,
  });

beforeAll(async () => {
  schema = await readFile(packagePath('prisma', 'schema.prisma'), 'utf8');
  engine = await startSchemaEngine(ADMIN_URL);
});
afterAll(() => engine?.free());

describe('schema.prisma and prisma/migrations', () => {
  it('describe the same database (Prisma engine diff: exit 0, empty migration)', async () => {
    const result = await diff(schema);
    expect(result.stdout).toContain('This is an empty migration.');
    expect(result.exitCode).toBe(0);
  });

  it('the check can fail: a schema without the required_tier index differs', async () => {
    const result = await diff(schema.replace('@@index([requiredTier])\n', ''));
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('DROP INDEX "models_required_tier_idx"');
  });

  it('the check can fail: a different default differs', async () => {
    const result = await diff(schema.replace('@default("minimum")', '@default("exact")'));
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(`SET DEFAULT 'exact'`);
  });
});

describe('what Prisma\'s schema language cannot say', () => {
  let fromMigrations: TestDatabase;
  let fromSchema: TestDatabase;
  beforeAll(async () => {
    [fromMigrations, fromSchema] = await Promise.all([createTestDatabase('all'), createTestDatabase('none')]);
    const script = await engine.diff({
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] } as never,
      script: true,
      exitCode: false,
      filters: NO_FILTERS,
    });
    await fromSchema.pool.query(script.stdout!);
  });
  afterAll(async () => {
    await Promise.all([fromMigrations?.drop(), fromSchema?.drop()]);
  });

  it('the catalogs agree except the NOT NULL of the two list columns (Prisma lists are never nullable, but it creates them without NOT NULL)', async () => {
    const [a, b] = await Promise.all([catalogOf(fromMigrations), catalogOf(fromSchema)]);
    expect(a.indexes).toEqual(b.indexes);
    expect(a.enums).toEqual(b.enums);
    const differing = a.columns.filter((col, i) => JSON.stringify(col) !== JSON.stringify(b.columns[i]));
    expect(differing.map((c) => `${c.table}.${c.column}`)).toEqual(['models.allowed_tiers', 'models.capabilities']);
    for (const col of differing) {
      const other = b.columns.find((x) => x.table === col.table && x.column === col.column)!;
      expect({ ...col, nullable: true }).toEqual(other);
      expect(col.nullable).toBe(false);
    }
  });
});
