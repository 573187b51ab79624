import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { NO_PRO_MODEL } from '../../src/verify/check-result.js';
import { listsAs, models, onlyFails, results, useVerifySandbox } from '../helpers/verify-sandbox.js';

const { db, run, verify, verifyThrough } = useVerifySandbox();

describe('tierctl verify against a good sandbox', () => {
  it('passes all eight checks', async () => {
    const r = await verify();
    expect(r.passed).toBe(true);
    expect(r.counts).toEqual({ pass: 8, fail: 0, skipped: 0 });
  });

  it('skips test 1 without a database URL, never passes it', async () => {
    const r = await verify(undefined, { database: undefined });
    expect(r.checks[0]).toMatchObject({ id: 1, result: 'skipped', message: expect.stringMatching(/--database-url/) });
    expect(r.passed).toBe(true);
  });
});

describe('every check can fail, each alone, with evidence', () => {
  it('1: a tier assignment differs from the fixtures in the database', async () => {
    await db().pool.query(`UPDATE models SET allowed_tiers = ARRAY['pro','enterprise']::subscription_tier[] WHERE id = 'gpt-5'`);
    try {
      const c = onlyFails(await verify(), 1);
      expect(c.evidence?.actual).toMatch(/gpt-5 is enterprise \| minimum \| \{pro,enterprise\}, expected enterprise \| minimum \| \{enterprise\}/);
    } finally {
      await db().pool.query(`UPDATE models SET allowed_tiers = ARRAY['enterprise']::subscription_tier[] WHERE id = 'gpt-5'`);
    }
  });

  it('2: the free listing shows a Pro model as allowed', async () => {
    const c = onlyFails(await verifyThrough(listsAs('free', 'claude-3.5-sonnet', 'allowed')), 2);
    expect(c.message).toMatch(/claude-3.5-sonnet: access_status "allowed", expected "upgrade_required"/);
    expect(c.evidence).toMatchObject({ request: 'GET /v1/models (Bearer token)', status: 200 });
  });

  it('3: the denial carries another message', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (res.status === 403) (res.json as { message: string }).message = 'Forbidden';
      }),
      3,
    );
    expect(c.message).toMatch(/message "Forbidden"/);
    expect(c.evidence?.expected).toMatch(/Model access restricted: Requires Pro tier or higher/);
  });

  it('4: the pro listing opens an Enterprise model', async () => {
    const c = onlyFails(await verifyThrough(listsAs('pro', 'gpt-5', 'allowed')), 4);
    expect(c.message).toMatch(/gpt-5: access_status "allowed", expected "upgrade_required"/);
  });

  it('5: the Pro model answers with an empty message', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (req.path === '/v1/chat/completions' && res.status === 200) (res.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content = '';
      }),
      5,
    );
    expect(c.message).toMatch(/message content ""/);
  });

  it('6: the enterprise listing denies a model', async () => {
    const c = onlyFails(await verifyThrough(listsAs('enterprise', 'gpt-5', 'upgrade_required')), 6);
    expect(c.message).toMatch(/gpt-5: access_status "upgrade_required", expected "allowed"/);
  });

  it('7: the 403 is not sent as application/json', async () => {
    const c = onlyFails(
      await verifyThrough((_req, res) => {
        if (res.status === 403) res.headers['content-type'] = 'text/plain';
      }),
      7,
    );
    expect(c.evidence).toMatchObject({ status: 403, headers: { 'content-type': 'text/plain' } });
  });

  it('8: the anonymous listing drops an old field', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (req.path === '/v1/models' && !req.authorized) for (const m of models(res.json)) delete m.capabilities;
      }),
      8,
    );
    expect(c.message).toMatch(/lacks capabilities/);
  });
});

describe('targets that are not what they should be', () => {
  it('a target answering HTML everywhere but /health: every check fails, nothing crashes', async () => {
    const r = await verifyThrough((req, res) => {
      if (req.path === '/health') return;
      res.status = 200;
      res.headers['content-type'] = 'text/html';
      res.text = '<html><body>Welcome to nginx</body></html>';
      return 'text';
    });
    expect(r.counts.fail).toBe(8 - 1);
    expect(r.checks[0]!.result).toBe('pass');
    expect(r.checks.find((c) => c.id === 8)!.evidence?.body).toMatch(/nginx/);
    expect(r.checks.find((c) => c.id === 2)!.evidence).toMatchObject({ request: 'POST /v1/auth/login (free@example.com)', actual: 'HTTP 200, not JSON' });
  });

  it('a failed login fails the checks that need it, with the login as evidence', async () => {
    const r = await verifyThrough((req, res) => {
      if (req.path === '/v1/auth/login' && (req.body as { email?: string })?.email === 'pro@example.com') {
        res.status = 401;
        res.json = { status: 'error', code: 'invalid_credentials' };
      }
    });
    expect(results(r)).toMatchObject({ 4: 'fail', 5: 'fail', 2: 'pass', 6: 'pass' });
    expect(r.checks.find((c) => c.id === 4)!.evidence).toMatchObject({ request: 'POST /v1/auth/login (pro@example.com)', status: 401 });
  });
});

describe('fixtures that leave a check nothing to look at', () => {
  async function withAssignments<T>(assignments: object, fn: (fixturesDir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'tierctl-fixtures-'));
    try {
      await cp(FIXTURES_DIR, dir, { recursive: true });
      await writeFile(join(dir, 'tier-assignments.json'), JSON.stringify(assignments));
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('no Pro model in the assignments: tests 3 and 5 are skipped with that reason, never passed', async () => {
    const r = await withAssignments({ 'gpt-5': { requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] } }, (fixturesDir) => verify(undefined, { fixturesDir }));
    expect(results(r)).toEqual({ 1: 'pass', 2: 'pass', 3: 'skipped', 4: 'pass', 5: 'skipped', 6: 'pass', 7: 'pass', 8: 'pass' });
    expect(r.checks[2]!.message).toBe(NO_PRO_MODEL);
  });

  it('no assignment at all: a usage error (exit 2), not a vacuous pass', async () => {
    const r = await withAssignments({}, (fixturesDir) => run(undefined, { fixturesDir }));
    expect(r.ok ? null : r.failure).toMatchObject({ code: 'fixture_invalid', exitCode: 2 });
    expect(r.ok ? null : r.failure.message).toContain('tier-assignments.json: lists no model');
  });
});
