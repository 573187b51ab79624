import { describe, expect, it } from 'vitest';
import { accessExplain } from '../../src/runbook/access-explain.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { chat, loginToken, postJson } from '../helpers/api-client.js';
import { startApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('tier');
const baseline = useTestDatabase('baseline');

describe('tierctl access explain', () => {
  it('explains a denial with the exact 403 body the API sends', async () => {
    await seedSandbox(db());
    const now = new Date('2026-01-01T00:00:00Z');
    const r = await accessExplain({ database: plainTarget(db().url), email: 'free@example.com', modelId: 'gpt-5' }, { now: () => now });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.effectiveTier).toBe('free');
    expect(r.value.model?.policy).toEqual({ requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] });
    expect(r.value.outcome).toMatchObject({
      kind: 'denied',
      status: 403,
      body: {
        status: 'error',
        code: 'model_access_restricted',
        message: 'Model access restricted: Requires Enterprise tier or higher',
        details: { model_id: 'gpt-5', user_tier: 'free', required_tier: 'enterprise', upgrade_url: '/subscriptions/upgrade' },
        timestamp: now.toISOString(),
      },
    });
  });

  it("shows the very body the live API sends for the same denial", async () => {
    const app = await startApp(db());
    try {
      const api = await postJson(app.url, '/v1/chat/completions', chat('claude-3.5-sonnet'), await loginToken(app.url, 'free@example.com'));
      const r = await accessExplain({ database: plainTarget(db().url), email: 'free@example.com', modelId: 'claude-3.5-sonnet' });
      if (!r.ok || r.value.outcome.kind !== 'denied') throw new Error('expected a denial');
      expect(api.status).toBe(r.value.outcome.status);
      expect({ ...api.body, timestamp: null }).toEqual({ ...r.value.outcome.body, timestamp: null });
    } finally {
      await app.close();
    }
  });

  it('follows the subscription: an ended period gives free, and a policy edit is seen with its lint warning', async () => {
    const pool = db().pool;
    await pool.query(`UPDATE subscriptions SET current_period_end = now() - interval '1 day' WHERE user_id = (SELECT id FROM users WHERE email = 'pro@example.com')`);
    const r = await accessExplain({ database: plainTarget(db().url), email: 'pro@example.com', modelId: 'claude-3.5-sonnet' });
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value.subscriptions).toMatchObject([{ tier: 'pro', gives: 'free', basis: 'period_ended' }]);
    expect(r.value.outcome.kind).toBe('denied');

    await pool.query(`UPDATE models SET allowed_tiers = ARRAY['free']::subscription_tier[] WHERE id = 'claude-3.5-sonnet'`);
    const linted = await accessExplain({ database: plainTarget(db().url), email: 'enterprise@example.com', modelId: 'claude-3.5-sonnet' });
    if (!linted.ok) throw new Error(linted.failure.message);
    expect(linted.value.outcome.kind).toBe('allowed');
    expect(linted.value.findings.map((f) => f.code)).toEqual(['allowed_tiers_disagree']);
  });

  it('says a model id that differs by case or whitespace is not found, and names an unknown user as a failure', async () => {
    for (const id of ['GPT-5', 'gpt-5 ']) {
      const r = await accessExplain({ database: plainTarget(db().url), email: 'enterprise@example.com', modelId: id });
      expect(r.ok && r.value.outcome.kind).toBe('model_not_found');
    }
    const nobody = await accessExplain({ database: plainTarget(db().url), email: "x' OR '1'='1", modelId: 'gpt-5' });
    expect(nobody.ok ? null : nobody.failure.code).toBe('user_not_found');
  });

  it('without the tier schema, explains that nothing is enforced', async () => {
    await seedSandbox(baseline(), { assignments: false });
    const r = await accessExplain({ database: plainTarget(baseline().url), email: 'free@example.com', modelId: 'gpt-5' });
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value.tierSchema).toBe('absent');
    expect(r.value.model?.policy).toBeNull();
    expect(r.value.outcome).toMatchObject({ kind: 'allowed', status: 200 });
  });

  it('through the CLI: text, --json and exit codes', async () => {
    const env = { DATABASE_URL: db().url };
    const text = await runCli(['access', 'explain', '--user', 'free@example.com', '--model', 'gemini-2.0-pro'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Model access restricted: Requires Pro tier or higher');
    const json = await runCli(['access', 'explain', '--user', 'enterprise@example.com', '--model', 'gpt-5', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, effectiveTier: 'enterprise', outcome: { kind: 'allowed' } });
    expect((await runCli(['access', 'explain', '--user', 'ghost@example.com', '--model', 'gpt-5'], { env })).code).toBe(1);
    expect((await runCli(['access', 'explain', '--model', 'gpt-5'], { env })).code).toBe(2);
  });

  it('a database (or ?schema=) without the API\'s tables: a clear configuration error (exit 2), not "a bug in tierctl"', async () => {
    const r = await runCli(['access', 'explain', '--user', 'free@example.com', '--model', 'gpt-5', '--database-url', `${db().url}?schema=elsewhere`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('has no elsewhere.users, elsewhere.subscriptions, elsewhere.models');
    expect(r.stderr).not.toMatch(/Internal error|bug in tierctl/);
  });
});
