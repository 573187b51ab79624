/**
 * Case 1 of issue 13: the guide prepares the test users (pre-deployment step 3) before the
 * deployment; `deploy` without --test-users must log in with the same password source as
 * `tierctl verify` (TIERCTL_TEST_PASSWORD / --password-env / the guide's default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { TIER_MIGRATION } from '../../src/db/migration-files.js';
import { unwrap } from '../../src/shared/failure.js';
import { appliedMigrations, jsonOf, tierColumnNames, tierValues, useJourney, userEmails } from '../helpers/journey.js';
import { startApp, type RunningApp } from '../helpers/server.js';

const journey = useJourney('baseline');
let app: RunningApp;
beforeAll(async () => {
  app = await startApp(journey().db, { cache: { schemaRecheckMs: 100 } });
});
afterAll(async () => {
  await app?.close();
});

describe('journey: users prepared first, then deploy without --test-users', () => {
  it('deploys with the password the users were created with, and the database keeps the deployment', async () => {
    const j = journey();
    const env = { TIERCTL_TEST_PASSWORD: 'Journey-Only-Secret-42' };
    const users = await j.tierctl(['users', 'create', '--yes'], env);
    expect(users.code, users.stderr).toBe(0);
    expect(await userEmails(j)).toEqual(['enterprise@example.com', 'free@example.com', 'pro@example.com']);
    expect(await tierColumnNames(j)).toEqual([]);

    const r = await j.tierctl(['deploy', '--api-url', app.url, '--backup-dir', j.dir, '--journal', `${j.dir}/journal.json`, '--seed', '--yes', '--wait', '10', '--json'], env);
    const report = jsonOf<{ outcome: string; phases: { id: string; outcome: string }[] }>(r);
    expect(report.outcome, r.stderr).toBe('succeeded');
    expect(r.code).toBe(0);
    expect(report.phases.find((p) => p.id === 'test-users')?.outcome).toBe('skipped');

    // The deployment stayed: tier columns, ledger, the guide's assignments.
    expect(await tierColumnNames(j)).toEqual(['allowed_tiers', 'required_tier', 'tier_restriction_mode']);
    expect(await appliedMigrations(j)).toContain(TIER_MIGRATION);
    const values = (await tierValues(j))!;
    for (const [id, a] of Object.entries(unwrap(await loadTierAssignments()))) {
      expect(values[id]).toEqual({ requiredTier: a.requiredTier, mode: a.tierRestrictionMode, allowed: a.allowedTiers });
    }
    expect(await userEmails(j)).toEqual(['enterprise@example.com', 'free@example.com', 'pro@example.com']);
  });
});
