/**
 * Issue 13, case 7: `rehearse` must drop only the sandboxes it can prove it created.
 *
 * Journey: an operator's server holds databases whose names look like sandboxes — one
 * named `tierctl-rehearse-prod…` (`_` is a LIKE wildcard), one whose "pid" is not a
 * number, one with a dead pid but no sandbox marker — with data in them. A rehearsal runs.
 * Every one of them must still be there with its data. A rehearsal that was really killed
 * (SIGKILL, no cleanup) leaves a marked sandbox: the next rehearsal drops that one.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/sql.js';
import { runCli, runCliInterrupted } from '../helpers/run-cli.js';
import { adminQuery, databaseUrl } from '../helpers/test-database.js';
import pg from 'pg';

const suffix = randomBytes(3).toString('hex');
/** A pid no process has: above the kernel's pid_max (4194304 at most). */
const DEAD_PID = 4_194_305 + Math.floor(Math.random() * 1000);
const lookalikes = [`tierctl-rehearse-prod-${suffix}`, `tierctl_rehearse_prod_${suffix}`, `tierctl_rehearse_${DEAD_PID}_${suffix}`];

const exists = async (name: string) => (await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount === 1;

async function customersIn(name: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    return (await client.query<{ email: string }>('SELECT email FROM customers ORDER BY email')).rows.map((r) => r.email);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of lookalikes) await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
});

describe('journey: rehearse on a server that holds other databases', () => {
  it('drops the marked sandbox of a killed rehearsal and nothing else, whatever the names look like', async () => {
    // A rehearsal killed (SIGKILL: no cleanup of any kind) once its sandbox exists.
    const killed = await runCliInterrupted(['rehearse'], /✔ Sandbox database/, { signal: 'SIGKILL' });
    expect(killed.signal).toBe('SIGKILL');
    const left = (await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE 'tierctl\\_rehearse\\_${killed.pid}\\_%'`)).rows.map((x) => x.datname as string);
    expect(left).toHaveLength(1);
    // The operator's own databases, named like sandboxes, with data in them.
    for (const name of lookalikes) {
      await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
      const client = new pg.Client({ connectionString: databaseUrl(name) });
      await client.connect();
      await client.query(`CREATE TABLE customers (email text PRIMARY KEY); INSERT INTO customers VALUES ('a@example.com'), ('b@example.com')`);
      await client.end();
    }

    const r = await runCli(['rehearse'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);

    for (const name of lookalikes) {
      expect(await exists(name), `${name} was dropped`).toBe(true);
      expect(await customersIn(name)).toEqual(['a@example.com', 'b@example.com']);
      expect(r.stderr).not.toContain(`dropped ${name}`);
    }
    expect(r.stderr).toContain(`left tierctl_rehearse_${DEAD_PID}_${suffix} alone: no tierctl sandbox marker`);
    // Another rehearsal running at the same time may have dropped it first: either way it is gone.
    expect(await exists(left[0]!), `${left[0]} left by the killed run`).toBe(false);
  }, 150_000);
});
