/**
 * Each test file gets its own throwaway PostgreSQL database, built from the project's
 * migrations, and drops it afterwards: files run in parallel without sharing state.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { catalogSnapshot, type CatalogSnapshot } from '../../src/db/migrations/catalog-snapshot.js';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { quoteIdent } from '../../src/db/sql.js';

export const ADMIN_URL = process.env.TIERCTL_TEST_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_DB_PREFIX = 'tierctl_t_';

/** Which migrations to run: none, up to the baseline (the guide's starting point), or all. */
export type MigrateTo = 'none' | 'baseline' | 'tier' | 'all';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A small pool on the test database, closed by drop(). */
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export function databaseUrl(name: string, base = ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs the migrations' SQL as plain statements (no ledger): the state a fresh database would have. */
export async function runMigrationSql(client: pg.ClientBase, to: MigrateTo): Promise<void> {
  if (to === 'none') return;
  const migrations = await loadMigrations();
  const last = to === 'all' ? migrations.length : migrations.findIndex((m) => m.name === TIER_MIGRATION) + (to === 'tier' ? 1 : 0);
  for (const m of migrations.slice(0, last)) await client.query(m.sql);
}

export async function createTestDatabase(migrateTo: MigrateTo = 'all'): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    await runMigrationSql(client, migrateTo);
  } finally {
    client.release();
  }
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

/** Registers beforeAll/afterAll for a database that lives as long as the test file. */
export function useTestDatabase(migrateTo: MigrateTo = 'all'): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(migrateTo);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('test database not created yet (use it inside a test or hook)');
    return db;
  };
}

/** The test database's catalog shape (columns, indexes, enums). */
export async function catalogOf(db: TestDatabase): Promise<CatalogSnapshot> {
  const client = await db.pool.connect();
  try {
    return await catalogSnapshot(client, 'public');
  } finally {
    client.release();
  }
}
