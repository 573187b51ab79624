/**
 * Issue 19 item 6: a deploy that stops before changing anything (a configuration problem,
 * an unreachable database, a preflight blocker, a stop hook that fails) writes no journal
 * that blocks the next one: validation runs before the journal is written, and a failure
 * that changed nothing ends the journal as `failed_unchanged`. The corrected deploy then
 * runs (not exit 4), on the database left exactly as it was.
 */
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { appliedMigrations, jsonOf, tierColumnNames, useJourney, type Journey } from '../helpers/journey.js';
import { useJourneyApp } from '../helpers/journey-app.js';

const journey = useJourney('baseline');
const app = useJourneyApp(journey);

const journal = (j: Journey) => join(j.dir, 'journal.json');
const deployArgs = (j: Journey, ...more: string[]) => ['deploy', '--api-url', app().url, '--backup-dir', j.dir, '--journal', journal(j), '--seed', '--test-users', '--wait', '10', '--yes', ...more];
const exists = (path: string) => stat(path).then(() => true, () => false);

async function expectUntouched(j: Journey, before: string[]) {
  expect(await tierColumnNames(j)).toEqual([]);
  expect(await appliedMigrations(j)).toEqual(before);
}

describe('journey: deploys refused before any change, then the corrected deploy', () => {
  it('no journal after a configuration error, an unreachable database or a blocker; a failed stop hook ends its journal; then deploy succeeds', async () => {
    const j = journey();
    const before = await appliedMigrations(j);

    // Fixtures the checks would refuse after the migration: refused now, exit 2, every problem at once.
    const fixtures = join(j.dir, 'fixtures');
    await cp(FIXTURES_DIR, fixtures, { recursive: true });
    await writeFile(join(fixtures, 'tier-assignments.json'), '{}\n');
    const badFixtures = await j.tierctl(deployArgs(j, '--fixtures', fixtures, '--migrations-dir', join(j.dir, 'no-such-dir')));
    expect(badFixtures.code, badFixtures.stderr).toBe(2);
    expect(badFixtures.stderr).toContain('tier-assignments.json: lists no model');
    expect(badFixtures.stderr).toContain(`Migrations directory ${join(j.dir, 'no-such-dir')} does not exist`);
    expect(badFixtures.stderr).toContain('no journal was written');
    expect(await exists(journal(j))).toBe(false);

    // The database cannot be reached: the preflight says so (exit 3), nothing to resume.
    const unreachable = await j.tierctl(deployArgs(j), { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    expect(unreachable.code, unreachable.stderr).toBe(3);
    expect(await exists(journal(j))).toBe(false);

    // A preflight blocker (pg_dump that cannot dump this server): exit 1, nothing written but the evidence.
    const blocked = await j.tierctl(deployArgs(j, '--pg-dump', join(j.dir, 'no-pg-dump'), '--json'));
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(jsonOf<{ failure: { code: string }; state: { database: string } }>(blocked)).toMatchObject({ failure: { code: 'preflight_blocked' }, state: { database: expect.stringMatching(/^unchanged/) } });
    expect(await exists(journal(j))).toBe(false);
    await expectUntouched(j, before);

    // Past the preflight, a stop hook that fails: the journal says it changed nothing.
    const hookFailed = await j.tierctl(deployArgs(j, '--stop-cmd', 'exit 7'));
    expect(hookFailed.code, hookFailed.stderr).toBe(1);
    expect(JSON.parse(await readFile(journal(j), 'utf8'))).toMatchObject({ state: 'failed_unchanged' });
    const resume = await j.tierctl(deployArgs(j, '--resume'));
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('failed without changing anything');
    await expectUntouched(j, before);

    // The corrected deploy is not blocked; the test users' password comes from .env, as every setting may.
    await writeFile(join(j.dir, '.env'), 'TIERCTL_TEST_PASSWORD=From-Dotenv-Only-9\n');
    const deployed = await j.tierctl([...deployArgs(j), '--json']);
    expect(jsonOf<{ outcome: string }>(deployed).outcome, deployed.stderr).toBe('succeeded');
    expect(deployed.code).toBe(0);
    expect(JSON.parse(await readFile(journal(j), 'utf8'))).toMatchObject({ state: 'succeeded' });
    expect(await appliedMigrations(j)).toContain(TIER_MIGRATION);
    const login = await fetch(`${app().url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'pro@example.com', password: 'From-Dotenv-Only-9' }) });
    expect(login.status).toBe(200);
  }, 180_000);
});
