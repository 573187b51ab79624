/**
 * The PgBouncer helper runs a real transaction pooler: a session's state (here a
 * session-level advisory lock) outlives the client that took it, which is why session
 * work needs a direct connection.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { usePgBouncer } from '../helpers/pgbouncer.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('none');
const bouncer = usePgBouncer(() => db().url, { poolSize: 2 });

const clients: pg.Client[] = [];
async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
});

const KEY = 424242;
const heldBy = async () =>
  (await db().pool.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [KEY])).rows;

describe('PgBouncer test helper', () => {
  it('serves the test database through a port of its own', async () => {
    const c = await connect(bouncer().url);
    const { rows } = await c.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]!.db).toBe(db().name);
    expect(new URL(bouncer().url).port).not.toBe(new URL(db().url).port);
  });

  it('pools by transaction: another client takes the server connection between two transactions', async () => {
    const a = await connect(bouncer().url);
    const b = await connect(bouncer().url);
    const first = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await b.query('BEGIN');
    const held = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const second = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await b.query('COMMIT');
    expect(second).not.toBe(held);
    expect(held).toBe(first); // the pooler handed a's server connection to b
  });

  it('leaks a session-level advisory lock past the client that took it', async () => {
    const a = await connect(bouncer().url);
    await a.query('SELECT pg_advisory_lock($1)', [KEY]);
    await a.end();
    expect(await heldBy()).toHaveLength(1); // still held by a pooled server connection
    await db().pool.query('SELECT pg_terminate_backend($1)', [(await heldBy())[0]!.pid]);
    await waitFor('the lock to go with its backend', async () => (await heldBy()).length === 0);
  });
});
