/**
 * Case 1 of issue 13: the guide prepares the test users (pre-deployment step 3) before the
 * deployment; `deploy` without --test-users must log in with the same password source as
 * `tierctl verify` (TIERCTL_TEST_PASSWORD / --password-env / the guide's default).
 * The same run shows what its children see: pg_dump and the hooks get no DATABASE_URL, no
 * password, no secret; the evidence files are the operator's only (0600).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { unwrap } from '../../src/shared/failure.js';
import { appliedMigrations, jsonOf, tierColumnNames, tierValues, useJourney, userEmails } from '../helpers/journey.js';
import { useJourneyApp } from '../helpers/journey-app.js';

const journey = useJourney('baseline');
const app = useJourneyApp(journey);

describe('journey: users prepared first, then deploy without --test-users', () => {
  it('deploys with the password the users were created with, and the database keeps the deployment', async () => {
    const j = journey();
    const env = { TIERCTL_TEST_PASSWORD: 'Journey-Only-Secret-42' };
    const users = await j.tierctl(['users', 'create', '--yes'], env);
    expect(users.code, users.stderr).toBe(0);
    expect(await userEmails(j)).toEqual(['enterprise@example.com', 'free@example.com', 'pro@example.com']);
    expect(await tierColumnNames(j)).toEqual([]);

    // The operator's URL carries a password (trust auth here ignores it); pg_dump is a wrapper that records its environment.
    const dbPassword = 'Db-Password-In-Url-7';
    const url = new URL(j.db.url);
    url.password = dbPassword;
    const tools = join(j.dir, 'bin');
    await mkdir(tools);
    for (const tool of ['pg_dump', 'pg_restore']) {
      await writeFile(join(tools, tool), `#!/bin/sh\nenv > ${join(j.dir, `${tool}.env`)}\ncat "$PGPASSFILE" > ${join(j.dir, `${tool}.passfile`)} 2>/dev/null\nexec ${tool} "$@"\n`, { mode: 0o755 });
    }
    const hookEnv = `env > ${join(j.dir, 'hook.env')}`;
    const r = await j.tierctl(
      ['deploy', '--api-url', app().url, '--backup-dir', j.dir, '--journal', `${j.dir}/journal.json`, '--seed', '--yes', '--wait', '10', '--json', '--pg-dump', join(tools, 'pg_dump'), '--stop-cmd', hookEnv, '--start-cmd', 'true'],
      { ...env, DATABASE_URL: url.toString(), JWT_SECRET: 'jwt-secret-of-the-operator-0123456789abcdef', OPERATOR_VAR: 'kept' },
    );
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

    // What the children saw: the password only in pg_dump's passfile; no URL, no secret anywhere.
    const seen = { pgDump: await readFile(join(j.dir, 'pg_dump.env'), 'utf8'), hook: await readFile(join(j.dir, 'hook.env'), 'utf8') };
    for (const text of Object.values(seen)) {
      expect(text).not.toContain(dbPassword);
      expect(text).not.toMatch(/^(DATABASE_URL|JWT_SECRET|TIERCTL_TEST_PASSWORD|PGPASSWORD)=/m);
      expect(text).not.toContain('Journey-Only-Secret-42');
    }
    expect(seen.hook).toMatch(/^OPERATOR_VAR=kept$/m);
    expect(seen.pgDump).not.toMatch(/^OPERATOR_VAR=/m);
    expect(seen.pgDump).toMatch(/^PGPASSFILE=/m);
    expect(await readFile(join(j.dir, 'pg_dump.passfile'), 'utf8')).toBe(`*:*:*:*:${dbPassword}\n`);
    const evidence = (report as unknown as { evidence: { json: string; junit: string } }).evidence;
    for (const file of [evidence.json, evidence.junit]) expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
