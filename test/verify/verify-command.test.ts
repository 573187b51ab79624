import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
let app: RunningApp;
let dir: string;

beforeAll(async () => {
  await seedSandbox(db());
  app = await startApp(db());
  dir = await mkdtemp(join(tmpdir(), 'tierctl-verify-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const verify = (...args: string[]) => runCli(['verify', '--api-url', app.url, ...args], { env: { DATABASE_URL: db().url } });

describe('tierctl verify (CLI)', () => {
  it('8/8 against a good sandbox: a table, --json that parses, JUnit XML that parses', async () => {
    const junit = join(dir, 'verify.xml');
    const r = await verify('--json', '--junit', junit);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, passed: true, counts: { pass: 8, fail: 0, skipped: 0 } });
    expect(report.checks.map((c: { id: number; title: string }) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(await readFile(junit, 'utf8'));
    const suite = xml.testsuites.testsuite;
    expect(suite['@_tests']).toBe('8');
    expect(suite['@_failures']).toBe('0');
    expect(suite.testcase.map((t: Record<string, string>) => t['@_name'])).toContain('Test 3: Free User - Attempt Pro Model Access');
    const text = await verify();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Pro User - Access Pro Model\s*│\s*pass/);
  });

  it('follows the fixtures: an assignment edited in a copy is what verify expects, and a target that disagrees fails (exit 1, JUnit failures with evidence)', async () => {
    const fixtures = join(dir, 'fixtures');
    await cp(FIXTURES_DIR, fixtures, { recursive: true });
    const file = join(fixtures, 'tier-assignments.json');
    const assignments = JSON.parse(await readFile(file, 'utf8'));
    assignments['gemini-2.0-pro'] = { requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] };
    await writeFile(file, JSON.stringify(assignments));
    const junit = join(dir, 'disagree.xml');
    const r = await verify('--fixtures', fixtures, '--json', '--junit', junit);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const failed = report.checks.filter((c: { result: string }) => c.result === 'fail').map((c: { id: number }) => c.id);
    // 7 asks for an Enterprise model as the free user: now gemini-2.0-pro, which the target still calls Pro.
    expect(failed).toEqual([1, 4, 7]);
    expect(report.checks[3].message).toMatch(/gemini-2.0-pro: access_status "allowed", expected "upgrade_required"/);
    expect(report.checks[6].message).toMatch(/details.required_tier "pro", not "enterprise"/);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(await readFile(junit, 'utf8'));
    expect(xml.testsuites.testsuite['@_failures']).toBe('3');
    const four = xml.testsuites.testsuite.testcase.find((t: Record<string, string>) => String(t['@_name']).startsWith('Test 4'));
    expect(four.failure['#text']).toMatch(/expected: user_tier "pro"/);
  });

  it('--only and --skip select checks by number; a bad list is exit 2', async () => {
    const r = await verify('--only', '3,7', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.counts).toEqual({ pass: 2, fail: 0, skipped: 6 });
    expect(report.checks[0]).toMatchObject({ result: 'skipped', message: 'not selected (--only/--skip)' });
    expect(JSON.parse((await verify('--skip', '1', '--json')).stdout).counts).toEqual({ pass: 7, fail: 0, skipped: 1 });
    // Bad input is refused before any request: these runs are independent, so run them together.
    const [nothing, ...refused] = await Promise.all([
      verify('--only', '3', '--skip', '3'),
      ...['9', '1,x', ''].map((bad) => verify('--only', bad)),
      runCli(['verify']),
      verify('--wait', '0'),
      verify('--timeout', 'soon'),
    ]);
    expect(nothing!.code).toBe(2);
    expect(nothing!.stderr).toMatch(/No check selected/);
    expect(refused.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
  }, 90_000);

  it('--junit into a directory that does not exist: exit 2 before any check runs', async () => {
    const r = await verify('--junit', join(dir, 'missing', 'verify.xml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--junit: cannot write .*missing\/verify.xml \(ENOENT\)/);
    expect(r.stdout).toBe('');
  });

  it('a target that is down: exit 3 within --wait, saying what was seen', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const start = Date.now();
    const r = await runCli(['verify', '--api-url', `http://127.0.0.1:${port}`, '--wait', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not healthy within 1 s .*connection refused \(ECONNREFUSED\)/);
    expect(Date.now() - start).toBeLessThan(15_000);

    // --json says it as a machine result; --junit still leaves a report for CI, every check failed "not run".
    const junit = join(dir, 'down.xml');
    const json = await runCli(['verify', '--api-url', `http://127.0.0.1:${port}`, '--wait', '1', '--json', '--junit', junit]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'api_unhealthy', exitCode: 3 } });
    const suite = new XMLParser({ ignoreAttributes: false }).parse(await readFile(junit, 'utf8')).testsuites.testsuite;
    expect(suite).toMatchObject({ '@_tests': '8', '@_failures': '8' });
    expect(suite.testcase[0].failure['@_message']).toMatch(/^not run: .*not healthy within 1 s/);
  });
});
