/**
 * Journey: production runs on one server, the rehearsal on another (`--sandbox-url`, the
 * usual staging server), here an older major: PostgreSQL 13 (embedded) as the sandbox
 * server for a copy of a database on the local 15. The drill runs there whole; the
 * rehearsal says the sandbox server is older; the source is untouched and nothing of the
 * rehearsal stays on either server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../matrix/embedded-postgres.js';
import { fillProductionLike } from '../helpers/production-like.js';
import { findingsOf, pidOfSandbox, sandboxesOf } from '../helpers/rehearsal.js';
import { runCli } from '../helpers/run-cli.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import pg from 'pg';

let server: EmbeddedPostgres;
let source: TestDatabase;

beforeAll(async () => {
  [server, source] = await Promise.all([startEmbeddedPostgres(13), createTestDatabase('none')]);
  await fillProductionLike(source.url, { models: 20, users: 100, apiLogs: 1000, at: 'baseline' });
}, 120_000);

afterAll(async () => {
  await Promise.all([server?.stop(), source?.drop()]);
});

async function databasesOn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tierctl\\_rehearse\\_%'`)).rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('journey: tierctl rehearse --from-database --sandbox-url (another, older server)', () => {
  it('drills the whole deployment on the other server, says it is older, and leaves both servers as they were', async () => {
    const before = await tableChecksums(source.url);
    const r = await runCli(['rehearse', '--from-database', source.url, '--sandbox-url', server.adminUrl, '--json'], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('passed');
    expect(report.sandboxServer).toBe(server.adminUrl);
    expect(report.phases.at(-1)).toMatchObject({ id: 'checks-again', outcome: 'ok' });
    const [older] = findingsOf(report, 'sandbox-server-older');
    expect(older).toMatchObject({ severity: 'warning' });
    expect(older!.title).toContain(`PostgreSQL ${server.version}`);
    expect(await databasesOn(server.adminUrl)).toEqual([]);
    expect(await sandboxesOf(pidOfSandbox(report.sandbox))).toEqual([]);
    expect(await tableChecksums(source.url)).toEqual(before);
  }, 300_000);
});
