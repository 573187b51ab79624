/**
 * Case 2 of issue 13 and safety rule 1 (undo only what this run did): a re-deploy on a
 * database deployed before. Its automatic rollback may undo only what it applied itself; a
 * run that applied nothing rolls nothing back and leaves the database as it found it.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { appliedMigrations, jsonOf, tierValues, useJourney, type Journey } from '../helpers/journey.js';
import { startApp, type RunningApp } from '../helpers/server.js';

const journey = useJourney('deployed');
let app: RunningApp;
let fixtures: string;
beforeAll(async () => {
  const j = journey();
  app = await startApp(j.db, { cache: { schemaRecheckMs: 100 } });
  expect((await j.tierctl(['users', 'create', '--yes'])).code).toBe(0);
  // The operator's fixtures differ from what the database holds in one assignment.
  fixtures = join(j.dir, 'fixtures');
  await cp(packagePath('fixtures'), fixtures, { recursive: true });
  const assignments = JSON.parse(await readFile(join(fixtures, 'tier-assignments.json'), 'utf8'));
  assignments['gemini-2.0-pro'] = { requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] };
  await writeFile(join(fixtures, 'tier-assignments.json'), JSON.stringify(assignments));
});
afterAll(async () => {
  await app?.close();
});

interface Report {
  outcome: string;
  state: { database: string };
  phases: { id: string; outcome: string; detail: string }[];
}
const deploy = (j: Journey, apiUrl: string, journal: string, ...more: string[]) =>
  j.tierctl(['deploy', '--api-url', apiUrl, '--backup-dir', j.dir, '--journal', join(j.dir, journal), '--fixtures', fixtures, '--yes', '--wait', '10', '--json', ...more]);

describe('journey: re-deploying a database that was deployed before', () => {
  it('a re-deploy that applies nothing and fails its checks rolls nothing back: tier columns, assignments and ledger stay', async () => {
    const j = journey();
    const before = { tiers: await tierValues(j), ledger: await appliedMigrations(j) };
    expect(before.tiers!['gemini-2.0-pro']!.requiredTier).toBe('pro');

    const r = await deploy(j, app.url, 'journal-1.json');
    const report = jsonOf<Report>(r);
    expect(r.code, r.stderr).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.phases.find((p) => p.id === 'migrate')?.detail).toMatch(/nothing pending/);
    expect(report.phases.map((p) => p.id)).not.toContain('auto-rollback');
    expect(report.state.database).toMatch(/^unchanged: this run applied no migration/);

    expect(await tierValues(j)).toEqual(before.tiers);
    expect(await appliedMigrations(j)).toEqual(before.ledger);
  });

  it('a re-deploy that seeds and then fails undoes its own seed changes only: the migrations stay, the other values too', async () => {
    const j = journey();
    const before = { tiers: await tierValues(j), ledger: await appliedMigrations(j) };
    // Someone's own change, made before this run: not this run's to undo.
    await j.sql(`UPDATE models SET required_tier = 'enterprise' WHERE id = 'gpt-4o-mini'`);
    const own = await tierValues(j);
    // The target answers the pro user's chat with an empty message: test 5 fails after the seed.
    const proxy = await startFaultProxy(app.url, (req, res) => {
      if (req.path === '/v1/chat/completions' && res.status === 200) (res.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content = '';
    });
    try {
      const r = await deploy(j, proxy.url, 'journal-2.json', '--seed');
      const report = jsonOf<Report>(r);
      expect(r.code, r.stderr).toBe(1);
      expect(report.outcome).toBe('rolled_back');
      expect(report.phases.find((p) => p.id === 'seed')?.detail).toBe('Created/updated 1 model');
      expect(report.phases.find((p) => p.id === 'auto-rollback')).toMatchObject({ outcome: 'ok', detail: expect.stringMatching(/set back: gemini-2\.0-pro/) });
    } finally {
      await proxy.close();
    }
    expect(await tierValues(j)).toEqual(own);
    expect(await appliedMigrations(j)).toEqual(before.ledger);
  });
});
