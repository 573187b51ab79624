/**
 * Journey: production already runs the tier migration (with its own assignments), a backup
 * of it is at hand, and the operator rehearses a re-deployment with new assignments from
 * it (`tierctl rehearse --from-backup MANIFEST --fixtures DIR --report FILE.html`). The new
 * assignments name a model production lacks, and a model the guide calls "Pro" is switched
 * off in production, so check 5 cannot pass. The rehearsal must drill the rollback first,
 * report both problems as findings with the way out, show the failing check in the page,
 * and leave the backup and the server as they were.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { fillProductionLike } from '../helpers/production-like.js';
import { findingsOf, openInChromium, pidOfSandbox, privateTmp, sandboxesOf, type PrivateTmp } from '../helpers/rehearsal.js';
import { runCli } from '../helpers/run-cli.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let source: TestDatabase;
let dir: string;
let manifest: string;
let report: any;
let run: Awaited<ReturnType<typeof runCli>>;
let before: Awaited<ReturnType<typeof tableChecksums>>;
let backupBytes: string;
let tmp: PrivateTmp | undefined;

beforeAll(async () => {
  source = await createTestDatabase('none');
  await fillProductionLike(source.url, { models: 30, users: 200, apiLogs: 1000, at: 'tier' });
  await source.pool.query(`UPDATE models SET is_available = false WHERE id = 'claude-3.5-sonnet'`);
  dir = await mkdtemp(join(tmpdir(), 'tierctl-t-deployed-'));
  await mkdir(join(dir, 'backup'));
  const backup = await runCli(['backup', '--database-url', source.url, '--dir', join(dir, 'backup')]);
  expect(backup.code, backup.stderr).toBe(0);
  manifest = join(dir, 'backup', (await readdir(join(dir, 'backup'))).find((f) => f.endsWith('.manifest.json'))!);
  backupBytes = (await readdir(join(dir, 'backup'))).sort().join(',');
  const fixtures = join(dir, 'fixtures');
  await cp(packagePath('fixtures'), fixtures, { recursive: true });
  const assignments = JSON.parse(await readFile(join(fixtures, 'tier-assignments.json'), 'utf8'));
  assignments['gpt-6'] = { requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] };
  await writeFile(join(fixtures, 'tier-assignments.json'), JSON.stringify(assignments));
  before = await tableChecksums(source.url);
  tmp = await privateTmp();
  run = await runCli(['rehearse', '--from-backup', manifest, '--fixtures', fixtures, '--report', join(dir, 'rehearsal.html'), '--json'], { env: tmp.env, timeoutMs: 240_000 });
  report = JSON.parse(run.stdout);
}, 300_000);

afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
  await tmp?.remove();
});

describe('journey: tierctl rehearse --from-backup of a deployed production', () => {
  it('drills the rollback first, then the re-deployment, and fails with the findings (exit 1)', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.startingState.kind).toBe('deployed');
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual([
      'source:ok', 'sandbox:ok', 'copy:ok', 'starting-state:ok', 'analysis:ok', 'backend:ok', 'backup:ok', 'would-be-loss:ok', 'rollback-drill:ok', 'migration-profile:ok', 'deploy:failed',
    ]);
    // The checks failed after the re-deployment: deploy rolled back what it applied.
    expect(report.deploy.outcome).toBe('rolled_back');
  });

  it('names the model production lacks, and goes on with the other assignments', () => {
    const [missing] = findingsOf(report, 'missing-models');
    expect(missing).toMatchObject({ severity: 'blocker', evidence: { missing: ['gpt-6'] } });
    expect(missing!.wayOut).toMatch(/Remove those entries from tier-assignments.json/);
    expect(report.deploy.phases.find((p: any) => p.id === 'seed').outcome).toBe('ok');
  });

  it('reports the failing check with its evidence, as a blocker', () => {
    const [checks] = findingsOf(report, 'checks-failed');
    expect(checks!.severity).toBe('blocker');
    expect(checks!.evidence.map((c: any) => c.id)).toContain(5);
    const failed = report.checkRuns[0].summary.report.checks.find((c: any) => c.id === 5);
    expect(failed).toMatchObject({ result: 'fail', evidence: { status: 400 } });
    expect(findingsOf(report, 'unavailable-models')[0]).toMatchObject({ severity: 'warning', evidence: { unavailable: ['claude-3.5-sonnet'] } });
  });

  it("judges the rollback's loss on production's own tier settings, covered by the backup taken first", () => {
    expect(report.wouldBeLoss.refusal).toBeNull();
    expect(report.wouldBeLoss.allowedBy).toBe('backup');
    // Content, not clocks: the guard compared the live values with the backup's dump, model by model.
    expect(report.wouldBeLoss.coverage).toEqual({ covered: true, compared: 6, differences: [] });
    expect(report.wouldBeLoss.models.map((m: any) => m.id)).toEqual(['model-0001', 'model-0002', 'model-0011', 'model-0012', 'model-0021', 'model-0022']);
    expect(report.rollback.outcome).toBe('rolled_back');
  });

  it('leaves the backup, the source and the sandbox server as they were', async () => {
    expect((await readdir(join(dir, 'backup'))).sort().join(',')).toBe(backupBytes);
    const verify = await runCli(['backup', 'verify', manifest]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(await tableChecksums(source.url)).toEqual(before);
    const pid = pidOfSandbox(report.sandbox);
    expect(await sandboxesOf(pid)).toEqual([]);
    expect(await tmp!.leftovers()).toEqual([]);
    expect(report.leftovers).toEqual([]);
  });

  it('shows the failing check in the HTML page, rendered by Chromium without errors', async () => {
    const { page, problems, close } = await openInChromium(join(dir, 'rehearsal.html'));
    try {
      expect(problems).toEqual([]);
      expect(await page.locator('#verdict').innerText()).toMatch(/^Rehearsal failed/);
      const failedRow = page.locator('tr.check-failed', { hasText: 'Pro User - Access Pro Model' });
      expect(await failedRow.isVisible()).toBe(true);
      expect(await failedRow.locator('pre.evidence').innerText()).toMatch(/status: 400/);
      expect(await page.locator('.finding.blocker[data-finding="missing-models"]').innerText()).toContain('gpt-6');
      expect(await page.locator('#loss-verdict').innerText()).toMatch(/^Allowed: backup/);
      expect(await page.locator('#loss tr.loss-covered').count()).toBe(6);
    } finally {
      await close();
    }
  });
});
