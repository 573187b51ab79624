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
let newer: EmbeddedPostgres;
let source: TestDatabase;

beforeAll(async () => {
  [server, newer, source] = await Promise.all([startEmbeddedPostgres(13), startEmbeddedPostgres(17), createTestDatabase('none')]);
  await fillProductionLike(source.url, { models: 20, users: 100, apiLogs: 1000, at: 'baseline' });
}, 120_000);

afterAll(async () => {
  await Promise.all([server?.stop(), newer?.stop(), source?.drop()]);
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

describe('journey: tierctl rehearse across servers (--sandbox-url on an older one; a source newer than pg_dump)', () => {
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

  it('a source on a newer server than pg_dump: exit 2 naming the pg_dump to use, before anything is created', async () => {
    // The API's database (baseline schema) on the newer server: what stops the rehearsal is pg_dump alone.
    const url = await newer.createDatabase('production');
    await fillProductionLike(url, { models: 2, users: 2, apiLogs: 0, at: 'baseline' });
    const r = await runCli(['rehearse', '--from-database', url, '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual(['source:failed']);
    expect(report.failure).toMatchObject({ code: 'pg_tool_too_old', message: expect.stringContaining(`PostgreSQL ${newer.version}`), hint: expect.stringContaining('--pg-dump PATH') });
    expect(report.sandbox).toBeNull();
  }, 120_000);
});
