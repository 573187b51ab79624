/**
 * Journey: an operator rehearses the deployment on a copy of their production database
 * (`tierctl rehearse --from-database URL --report FILE.html`). The source must come out
 * unchanged, table by table; nothing may stay on the sandbox server; every figure the
 * rehearsal reports must match what the source's own data says.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { fillProductionLike } from '../helpers/production-like.js';
import { findingsOf, openInChromium, privateTmp, tierctlSessionsOn, type PrivateTmp } from '../helpers/rehearsal.js';
import { runCli } from '../helpers/run-cli.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let source: TestDatabase;
let out: string;
let tmp: PrivateTmp | undefined;
let before: Awaited<ReturnType<typeof tableChecksums>>;
let report: any;
let stderr = '';
let code: number | null = null;
let stdout = '';
const SECRET = 'pw-never-shown-4e1f';

beforeAll(async () => {
  source = await createTestDatabase('none');
  await fillProductionLike(source.url, { models: 40, users: 400, apiLogs: 3000, at: 'baseline' });
  before = await tableChecksums(source.url);
  out = await mkdtemp(join(tmpdir(), 'tierctl-t-rehearse-'));
  // The local server trusts every connection: the password only has to never show up anywhere.
  const withPassword = source.url.replace('postgresql://postgres@', `postgresql://postgres:${SECRET}@`);
  tmp = await privateTmp();
  const r = await runCli(['rehearse', '--from-database', withPassword, '--report', join(out, 'rehearsal.html'), '--evidence-dir', out, '--json'], { env: tmp.env, timeoutMs: 240_000 });
  code = r.code;
  stderr = r.stderr;
  stdout = r.stdout;
  report = JSON.parse(r.stdout);
}, 300_000);

afterAll(async () => {
  await source?.drop();
  if (out) await rm(out, { recursive: true, force: true });
  await tmp?.remove();
});

/** Users per effective tier, counted by SQL here (not by the tier library the rehearsal uses). */
async function effectiveTiers(): Promise<Record<string, number>> {
  const { rows } = await source.pool.query<{ tier: string; n: number }>(
    `SELECT tier, count(*)::int AS n FROM (
       SELECT coalesce((SELECT max(s.tier) FROM subscriptions s WHERE s.user_id = u.id AND s.status IN ('active', 'trialing') AND s.current_period_end > now()), 'free')::text AS tier
         FROM users u) x GROUP BY tier`,
  );
  return { free: 0, pro: 0, enterprise: 0, ...Object.fromEntries(rows.map((r) => [r.tier, r.n])) };
}

describe('journey: tierctl rehearse --from-database', () => {
  it('runs the whole drill on the copy and passes, leaving nothing behind', async () => {
    expect(code, stderr).toBe(0);
    expect(report.outcome).toBe('passed');
    expect(report.mode).toBe('database');
    expect(report.phases.map((p: any) => `${p.id}:${p.outcome}`)).toEqual([
      'source:ok', 'sandbox:ok', 'copy:ok', 'starting-state:ok', 'analysis:ok', 'migration-profile:ok', 'backend:ok', 'deploy:ok', 'would-be-loss:ok', 'rollback-drill:ok', 'reapply:ok', 'checks-again:ok',
    ]);
    expect(report.checkRuns.map((r: any) => `${r.phase}:${r.summary.passed}`)).toEqual(['deploy:true', 'checks-again:true']);
    expect(report.leftovers).toEqual([]);
    expect(await tmp!.leftovers()).toEqual([]);
    expect((await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${report.sandbox}'`)).rowCount).toBe(0);
    expect(await tierctlSessionsOn(source.name)).toBe(0);
    // Progress in a CI log: plain lines with tables done / total and bytes.
    // 6 tables: the application's four, _prisma_migrations and tierctl's apply records (_tierctl_migrations).
    expect(stderr).toMatch(/Copy the database into the sandbox \(pg_dump \| pg_restore\): \d\/6 tables, [\d.]+ (B|KiB|MiB)/);
  });

  it('leaves the source exactly as it was, table by table', async () => {
    expect(await tableChecksums(source.url)).toEqual(before);
  });

  it("counts the users who lose access per tier from the source's own subscriptions", async () => {
    const tiers = await effectiveTiers();
    const [f] = findingsOf(report, 'subscribers-losing-access');
    expect(f!.severity).toBe('warning');
    expect(f!.evidence.usersByTier).toEqual(tiers);
    const byModel = Object.fromEntries(f!.evidence.models.map((m: any) => [m.id, m]));
    expect(Object.keys(byModel).sort()).toEqual(['claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-5']);
    expect(byModel['gpt-5'].losing).toEqual({ free: tiers.free, pro: tiers.pro, enterprise: 0 });
    expect(byModel['claude-3.5-sonnet'].losing).toEqual({ free: tiers.free, pro: 0, enterprise: 0 });
    const { rows } = await source.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u
        WHERE (SELECT max(tier) FROM subscriptions s WHERE s.user_id = u.id) >
              coalesce((SELECT max(tier) FROM subscriptions s WHERE s.user_id = u.id AND s.status IN ('active', 'trialing') AND s.current_period_end > now()), 'free')`,
    );
    const [gap] = findingsOf(report, 'entitlement-gap');
    expect(gap!.evidence.gaps.reduce((n: number, g: any) => n + g.users, 0)).toBe(rows[0]!.n);
    expect(gap!.evidence.gaps.map((g: any) => g.reason)).toEqual(expect.arrayContaining(['past_due', 'cancelled', 'expired', 'period_ended']));
  });

  it('times every migration statement on the copy, with the locks it really took', async () => {
    const [apply] = findingsOf(report, 'statement-locks');
    const alter = apply!.evidence.statements.find((s: any) => /^ALTER TABLE "models" ADD COLUMN\s+"required_tier"/.test(s.sql));
    expect(alter.locks).toContainEqual({ relation: 'models', mode: 'ACCESS EXCLUSIVE' });
    expect(alter.holdMs).toBeGreaterThanOrEqual(alter.durationMs);
    expect(apply!.evidence.modelsAccessExclusiveMs).toBe(Math.max(...apply!.evidence.statements.filter((s: any) => s.locks.some((l: any) => l.relation === 'models' && l.mode === 'ACCESS EXCLUSIVE')).map((s: any) => s.holdMs)));
    // Every migration the copy lacks, in order: from the tier migration on.
    expect(apply!.evidence.migrations.map((m: any) => m.name)).toEqual((await loadMigrations()).map((m) => m.name).filter((n) => n >= TIER_MIGRATION));
    const [down] = findingsOf(report, 'rollback-statement-locks');
    expect(down!.evidence.statements.some((s: any) => s.locks.some((l: any) => l.relation === 'models' && l.mode === 'ACCESS EXCLUSIVE'))).toBe(true);
    const [d] = findingsOf(report, 'durations');
    expect(d!.evidence).toMatchObject({ tables: 6, restoreMs: expect.any(Number), backupMs: expect.any(Number), migrateMs: expect.any(Number), rollbackMs: expect.any(Number) });
  });

  it("reports the rollback's would-be loss as the data-loss guard judges it", async () => {
    const [loss] = findingsOf(report, 'rollback-loss');
    expect(loss!.severity).toBe('warning');
    expect(report.wouldBeLoss.models.map((m: any) => m.id)).toEqual(['claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-5']);
    expect(report.wouldBeLoss.refusal.code).toBe('data_loss');
  });

  it('writes the same report as JSON evidence and as one self-contained HTML page that renders in Chromium', async () => {
    const evidence = (await readdir(out)).filter((f) => /^rehearsal_evidence_.*\.json$/.test(f));
    expect(evidence).toHaveLength(1);
    const { ok: _ok, ...printed } = report;
    expect(JSON.parse(await readFile(join(out, evidence[0]!), 'utf8'))).toEqual(printed);
    const html = await readFile(join(out, 'rehearsal.html'), 'utf8');
    for (const text of [html, stdout, stderr, await readFile(join(out, evidence[0]!), 'utf8')]) expect(text).not.toContain(SECRET);
    expect(html).not.toMatch(/<(link|img|iframe)\b|src=|url\(/i);
    const { page, problems, close } = await openInChromium(join(out, 'rehearsal.html'));
    try {
      expect(problems).toEqual([]);
      expect(await page.locator('#verdict').innerText()).toMatch(/^Rehearsal passed/);
      for (const id of ['findings', 'timeline', 'locks', 'checks', 'subscribers', 'loss']) expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
      expect(await page.locator('#timeline svg g.phase').count()).toBeGreaterThanOrEqual(12);
      expect(await page.locator('#locks svg g.statement').count()).toBe(report.profiles.reduce((n: number, p: any) => n + p.statements.length, 0));
      expect(await page.locator('tr.check-failed').count()).toBe(0);
      expect(await page.locator('#subscribers').innerText()).toContain(report.findings.find((f: any) => f.id === 'subscribers-losing-access').evidence.usersByTier.free.toLocaleString('en-US'));
      const embedded = JSON.parse(await page.locator('#rehearsal-data').textContent() ?? 'null');
      expect(embedded).toEqual(printed);
    } finally {
      await close();
    }
  });
});
