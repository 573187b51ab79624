/**
 * Before the suite: make sure PostgreSQL answers, and drop test databases left behind by
 * test processes that no longer exist (a crash or kill); stop the version matrix's servers
 * such processes left running. Those of live processes (another suite running at the same
 * time) are left alone.
 */
import pg from 'pg';
import { quoteIdent } from '../src/db/sql.js';
import { ADMIN_URL, TEST_DB_PREFIX } from './helpers/test-database.js';
import { stopStaleServers } from './matrix/embedded-postgres.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export default async function setup(): Promise<void> {
  await stopStaleServers();
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`The tests need PostgreSQL at ${ADMIN_URL} (set TIERCTL_TEST_ADMIN_URL): ${(e as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DB_PREFIX.replaceAll('_', '\\_')}%`],
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice(TEST_DB_PREFIX.length).split('_')[0]);
      if (Number.isInteger(pid) && !alive(pid)) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      }
    }
  } finally {
    await client.end();
  }
}
