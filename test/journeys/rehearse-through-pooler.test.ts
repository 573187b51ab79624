/**
 * Journey: production's DATABASE_URL goes through a transaction pooler (PgBouncer). A
 * rehearsal from it must not run pg_dump through the pooler (its snapshot and SETs need a
 * session): refused before anything is created, naming DIRECT_URL. With DIRECT_URL set,
 * `tierctl rehearse --from-database` (no URL: the configured database) copies through the
 * direct connection and the drill runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillProductionLike } from '../helpers/production-like.js';
import { usePgBouncer } from '../helpers/pgbouncer.js';
import { pidOfSandbox, sandboxesOf } from '../helpers/rehearsal.js';
import { runCli } from '../helpers/run-cli.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let source: TestDatabase;
beforeAll(async () => {
  source = await createTestDatabase('none');
  await fillProductionLike(source.url, { models: 10, users: 50, apiLogs: 500, at: 'baseline' });
}, 60_000);
afterAll(async () => {
  await source?.drop();
});
const bouncer = usePgBouncer(() => source.url);

describe('journey: rehearse --from-database when DATABASE_URL is a transaction pooler', () => {
  it('refuses to pg_dump through the pooler (exit 2, nothing created), naming DIRECT_URL', async () => {
    const r = await runCli(['rehearse', '--from-database', '--json'], { env: { DATABASE_URL: bouncer().url } });
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual(['source:failed']);
    expect(report.failure).toMatchObject({ code: 'pooled_connection', hint: expect.stringContaining('DIRECT_URL') });
    expect(report.sandbox).toBeNull();
  }, 60_000);

  it('copies through DIRECT_URL and runs the drill, the source unchanged', async () => {
    const before = await tableChecksums(source.url);
    const r = await runCli(['rehearse', '--from-database', '--json'], { env: { DATABASE_URL: bouncer().url, DIRECT_URL: source.url }, timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.source.label).toBe(source.url);
    expect(report.outcome).toBe('passed');
    expect(await sandboxesOf(pidOfSandbox(report.sandbox))).toEqual([]);
    expect(await tableChecksums(source.url)).toEqual(before);
  }, 240_000);
});
