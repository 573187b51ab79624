/**
 * `deploy --resume` after the run was killed (SIGKILL: no cleanup at all) at every phase,
 * on one database: the resumed deployment finishes with the database deployed exactly
 * once, and an automatic rollback after a resume undoes what the killed part of the same
 * deployment applied (safety rule 1 across --resume).
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { unwrap } from '../../src/shared/failure.js';
import { packagePath } from '../../src/shared/package-root.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { migrateDown } from '../../src/runbook/migrate/migrate-down.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { appliedMigrations, jsonOf, tierColumnNames, tierValues, useJourney, userEmails, type Journey } from '../helpers/journey.js';
import { useJourneyApp } from '../helpers/journey-app.js';
import { plainTarget } from '../../src/shared/database-target.js';

const journey = useJourney('baseline');
const app = useJourneyApp(journey);

const PHASES = [
  ['preflight', 'Preflight'],
  ['backup', 'Backup and models CSV'],
  ['stop', 'Stop the backend'],
  ['migrate', 'Apply the tier migration'],
  ['migration-verified', 'Verify the migration'],
  ['seed', 'Seed the tier assignments'],
  ['test-users', 'Create the test users'],
  ['start', 'Start the backend'],
  ['health', 'Health check'],
  ['verify', 'The eight post-deployment checks'],
] as const;

const journal = (j: Journey) => join(j.dir, 'journal.json');
const args = (j: Journey, apiUrl: string) => ['deploy', '--api-url', apiUrl, '--backup-dir', j.dir, '--journal', journal(j), '--seed', '--test-users', '--stop-cmd', 'sleep 0.3', '--start-cmd', 'sleep 0.3', '--wait', '10', '--yes'];

/** Runs deploy (`resume`: deploy --resume) and SIGKILLs it as soon as the phase starting with `title` shows on stderr. */
function killAt(j: Journey, title: string, resume = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), ...args(j, app().url), ...(resume ? ['--resume'] : [])], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', DATABASE_URL: j.db.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`… ${title}`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`not killed at ${title}:\n${stderr}`))));
  });
}

async function expectDeployed(j: Journey) {
  expect(await tierColumnNames(j)).toEqual(['allowed_tiers', 'required_tier', 'tier_restriction_mode']);
  expect(await appliedMigrations(j)).toEqual((await loadMigrations()).map((m) => m.name));
  const values = (await tierValues(j))!;
  for (const [id, a] of Object.entries(unwrap(await loadTierAssignments()))) {
    expect(values[id]).toEqual({ requiredTier: a.requiredTier, mode: a.tierRestrictionMode, allowed: a.allowedTiers });
  }
  expect(await userEmails(j)).toEqual(['enterprise@example.com', 'free@example.com', 'pro@example.com']);
}

/** Back at the guide's starting point for the next kill (in-process, to keep the journey short): migrations rolled back, test users removed, no journal. */
async function reset(j: Journey) {
  unwrap(await migrateDown({ database: plainTarget(j.db.url), acceptLoss: true }, { reporter: silentReporter }));
  await j.sql(`DELETE FROM users WHERE email LIKE '%@example.com'`);
  await rm(journal(j), { force: true });
  expect(await tierColumnNames(j)).toEqual([]);
}

describe('journey: deploy killed at every phase, then --resume', () => {
  it('killed (SIGKILL) at each phase in turn, each resume killed at the next: the last --resume finishes, deployed exactly once', async () => {
    const j = journey();
    for (const [i, [id, title]] of PHASES.entries()) {
      // Killed in the preflight, a deployment has changed nothing and written no journal: the next run starts afresh.
      const stderr = await killAt(j, title, i > 1);
      if (id === 'preflight') {
        await expect(readFile(journal(j), 'utf8'), stderr).rejects.toMatchObject({ code: 'ENOENT' });
        continue;
      }
      const journalNow = JSON.parse(await readFile(journal(j), 'utf8')) as { state: string; phases: { id: string; outcome: string }[] };
      expect(journalNow.state, stderr).toBe('running');
      expect(journalNow.phases.find((p) => p.id === id)?.outcome).not.toBe('ok');
    }
    const r = await j.tierctl([...args(j, app().url), '--resume', '--json']);
    const report = jsonOf<{ outcome: string }>(r);
    expect(report.outcome, r.stderr).toBe('succeeded');
    expect(r.code).toBe(0);
    await expectDeployed(j);
    await reset(j);
  }, 120_000);

  it('killed after the migration committed, resumed, then a check fails: the rollback undoes what the killed part applied', async () => {
    const j = journey();
    await killAt(j, 'Seed the tier assignments');
    expect(await appliedMigrations(j)).toContain(TIER_MIGRATION);
    const proxy = await startFaultProxy(app().url, (req, res) => {
      if (req.path === '/v1/chat/completions' && res.status === 200) (res.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content = '';
    });
    try {
      const r = await j.tierctl([...args(j, proxy.url), '--resume', '--json']);
      const report = jsonOf<{ outcome: string; phases: { id: string; outcome: string }[] }>(r);
      expect(report.outcome, r.stderr).toBe('rolled_back');
      expect(report.phases.find((p) => p.id === 'auto-rollback')?.outcome).toBe('ok');
    } finally {
      await proxy.close();
    }
    expect(await tierColumnNames(j)).toEqual([]);
    expect(await appliedMigrations(j)).toEqual((await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).map((m) => m.name));
  }, 60_000);
});
