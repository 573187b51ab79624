/**
 * The database one version journey lives in: on an embedded server of that major (13, 14,
 * 16, 17), or on the local server (15, the suite's own). It starts at the guide's starting
 * point: the baseline migration applied (with its `_prisma_migrations` row, as `prisma
 * migrate deploy` left it) and the sandbox model catalog in it, no users yet.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { loadMigrations } from '../../src/db/migrations/migration-files.js';
import { insertSandboxCatalog } from '../../src/db/sandbox-catalog.js';
import { quoteIdent } from '../../src/db/sql.js';
import { loadSandboxModels } from '../../src/fixtures/load-fixtures.js';
import { unwrap } from '../../src/shared/failure.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { ADMIN_URL, adminQuery, databaseUrl, runMigrationSql, TEST_DB_PREFIX, type TestDatabase } from '../helpers/test-database.js';
import { startEmbeddedPostgres, type EmbeddedMajor } from './embedded-postgres.js';

export interface MatrixServer {
  readonly major: number;
  /** MAJOR.MINOR from `server_version_num`, as tierctl prints it, e.g. `13.23`. */
  readonly version: string;
  /** A superuser URL on its `postgres` database. */
  readonly adminUrl: string;
  /** Creates a database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The names of its databases that start with `prefix`. */
  databases(prefix: string): Promise<string[]>;
  /** Drops what it created, or stops the whole server. */
  close(): Promise<void>;
}

/**
 * The local server (TIERCTL_TEST_ADMIN_URL): databases named like every test's, dropped
 * afterwards with those named after them (a restore's `--to-database NAME_copy`).
 */
async function localServer(): Promise<MatrixServer> {
  const { rows } = await adminQuery(`SELECT current_setting('server_version_num')::int AS num`);
  const created: string[] = [];
  return {
    major: Math.floor(rows[0].num / 10000),
    version: `${Math.floor(rows[0].num / 10000)}.${rows[0].num % 10000}`,
    adminUrl: ADMIN_URL,
    databases: (prefix) => databasesOf(ADMIN_URL, prefix),
    async createDatabase(name) {
      await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
      created.push(name);
      return databaseUrl(name);
    },
    async close() {
      for (const name of created) {
        for (const datname of await databasesOf(ADMIN_URL, name)) await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      }
    },
  };
}

async function embeddedServer(major: EmbeddedMajor): Promise<MatrixServer> {
  const server = await startEmbeddedPostgres(major);
  return {
    major,
    version: server.version,
    adminUrl: server.adminUrl,
    createDatabase: (name) => server.createDatabase(name),
    databases: (prefix) => databasesOf(server.adminUrl, prefix),
    close: () => server.stop(),
  };
}

async function databasesOf(adminUrl: string, prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1`, [prefix]);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

export interface MatrixDatabase {
  readonly server: MatrixServer;
  readonly db: TestDatabase;
  /** A name for another database on the same server (e.g. a restore target), not yet created. */
  readonly spareName: string;
}

/** Registers beforeAll/afterAll: the server (local for 15), the database at the guide's starting point. */
export function useMatrixDatabase(major: EmbeddedMajor | 15): () => MatrixDatabase {
  let state: MatrixDatabase | undefined;
  let server: MatrixServer | undefined;
  beforeAll(async () => {
    server = major === 15 ? await localServer() : await embeddedServer(major);
    const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
    const url = await server.createDatabase(name);
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pool.on('error', () => {});
    const db: TestDatabase = { name, url, pool, drop: () => pool.end() };
    const client = await pool.connect();
    try {
      await runMigrationSql(client, 'baseline');
      await client.query('BEGIN');
      await insertSandboxCatalog(client, 'public', unwrap(await loadSandboxModels()));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await writeLedgerUpTo(db, (await loadMigrations())[0]!.name);
    state = { server, db, spareName: `${name}_copy` };
  });
  afterAll(async () => {
    await state?.db.drop();
    await server?.close();
  });
  return () => {
    if (!state) throw new Error('the matrix database is not ready (use it inside a test or hook)');
    return state;
  };
}
