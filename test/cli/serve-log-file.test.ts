/**
 * The deployment guide's log greps ("Monitoring and Alerting" and "Troubleshooting"), run as
 * written against the file `tierctl serve --log-file` writes after real requests: every tier
 * check, every real denial (and no shadow-mode one), every model cache hit (listings
 * included), and each user-tier resolution with its reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

/** The guide's commands, copied as they are; the path is the only thing replaced. */
const GUIDE_LOG = '/var/log/rephlo-backend.log';
const GUIDE = {
  tierChecks: 'grep "Tier access check" /var/log/rephlo-backend.log | tail -100',
  cacheHits: 'grep "Returning cached model" /var/log/rephlo-backend.log | wc -l',
  checksCompleted: 'grep "Tier access check completed" /var/log/rephlo-backend.log',
  denials: 'grep "Model access denied" /var/log/rephlo-backend.log',
  migrations: 'grep "prisma migrate" /var/log/rephlo-backend.log',
  userTier: 'grep "getUserTier" /var/log/rephlo-backend.log',
} as const;

const db = useTestDatabase('all');
const dir = mkdtempSync(join(tmpdir(), 'tierctl-log-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one of the guide's commands with `file` in place of its log path: the lines it prints. */
function guide(command: string, file: string): string[] {
  const r = spawnSync('sh', ['-c', command.replaceAll(GUIDE_LOG, file)], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${command}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

async function serveWithLogFile(file: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), 'serve', '--port', '0', '--database-url', db().url, '--log-file', file], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', JWT_SECRET: TEST_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const read = () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const port = await waitFor('"Server started on port" in the log file', async () => /"msg":"Server started on port (\d+)"/.exec(read())?.[1], 30_000);
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      return { code: await exited, stdout };
    },
  };
}

describe('tierctl serve --log-file and the guide greps', () => {
  it('answers every troubleshooting grep of the guide from the file', async () => {
    await seedSandbox(db());
    const file = join(dir, 'var', 'log', 'rephlo-backend.log');
    const serve = await serveWithLogFile(file);
    const free = await loginToken(serve.base, 'free@example.com');
    const pro = await loginToken(serve.base, 'pro@example.com');
    expect((await getJson(serve.base, '/v1/models', free)).status).toBe(200);
    expect((await getJson(serve.base, '/v1/models', pro)).status).toBe(200);
    expect((await postJson(serve.base, '/v1/chat/completions', chat('claude-3.5-sonnet'), free)).status).toBe(403);
    expect((await postJson(serve.base, '/v1/chat/completions', chat('gpt-5'), free)).status).toBe(403);
    expect((await postJson(serve.base, '/v1/chat/completions', chat('claude-3.5-sonnet'), pro)).status).toBe(200);
    // The pro subscriber stops paying: the change reaches the server (LISTEN/NOTIFY) and the
    // next resolution says why they are free now.
    await db().pool.query(`UPDATE subscriptions SET status = 'past_due' WHERE user_id = (SELECT id FROM users WHERE email = 'pro@example.com')`);
    await waitFor('the pro subscriber refused', async () => (await postJson(serve.base, '/v1/chat/completions', chat('claude-3.5-sonnet'), pro)).status === 403);
    const { code, stdout } = await serve.stop();
    expect(code).toBe(0);
    expect(stdout).toBe(''); // the lines went to the file

    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, any>);
    const checks = entries.filter((e) => typeof e.msg === 'string' && e.msg.startsWith('Tier access check completed'));
    const denied = checks.filter((e) => e.allowed === false);
    expect(checks.length).toBeGreaterThanOrEqual(4);
    expect(denied.length).toBeGreaterThanOrEqual(3);
    // "Tier Validation Performance": every check, with its duration.
    const tierChecks = guide(GUIDE.tierChecks, file);
    expect(tierChecks).toHaveLength(Math.min(100, checks.length));
    for (const l of tierChecks) expect(JSON.parse(l).durationMs).toBeGreaterThanOrEqual(0);
    expect(guide(GUIDE.checksCompleted, file)).toHaveLength(checks.length);
    // "Tier denials": each real denial once, at info like the guide's other lines.
    const denials = guide(GUIDE.denials, file).map((l) => JSON.parse(l) as Record<string, any>);
    expect(denials).toHaveLength(denied.length);
    for (const d of denials) expect(d).toMatchObject({ level: 30, allowed: false, enforced: true });
    expect(denials.slice(0, 2).map((d) => [d.userTier, d.modelId, d.requiredTier])).toEqual([
      ['free', 'claude-3.5-sonnet', 'pro'],
      ['free', 'gpt-5', 'enterprise'],
    ]);
    // "Cache Hit Rate": one line per cache hit, the listings included (the catalog was
    // loaded at start, so every request here was a hit).
    const hits = entries.filter((e) => /^Returning cached model/.test(e.msg)).length;
    expect(hits).toBe(2 + checks.length);
    expect(guide(GUIDE.cacheHits, file)).toEqual([String(hits)]);
    // "Migration events": the server runs no migration (tierctl migrate does), so none here.
    expect(guide(GUIDE.migrations, file)).toEqual([]);
    // "403 Errors for All Users": each resolution of a user's tier, with its reason.
    const resolutions = guide(GUIDE.userTier, file).map((l) => JSON.parse(l) as Record<string, any>);
    const byUser = (email: string) => resolutions.filter((r) => r.msg.includes(email === 'free' ? 'subscription free' : 'subscription pro'));
    expect(byUser('free')[0]).toMatchObject({ level: 30, tier: 'free', basis: 'entitled', subscriptionTier: 'free', status: 'active' });
    expect(byUser('pro')[0]).toMatchObject({ tier: 'pro', basis: 'entitled', status: 'active' });
    const lapsed = byUser('pro').at(-1)!;
    expect(lapsed).toMatchObject({ tier: 'free', basis: 'status_not_entitled', subscriptionTier: 'pro', status: 'past_due' });
    expect(lapsed.msg).toMatch(/^getUserTier: free \(subscription pro past_due: status does not entitle.*period ends \d{4}-\d\d-\d\dT/);
    expect(Date.parse(lapsed.periodEnd)).toBeGreaterThan(Date.now());
    expect(readFileSync(file, 'utf8')).not.toContain(free);
  }, 150_000);

  it('in shadow mode, logs would-be denials that the guide\'s "Model access denied" does not count', async () => {
    await db().pool.query(`UPDATE subscriptions SET status = 'active'`);
    const file = join(dir, 'shadow.log');
    const serve = await serveWithLogFile(file, { ENABLE_TIER_ENFORCEMENT: 'false' });
    const free = await loginToken(serve.base, 'free@example.com');
    expect((await postJson(serve.base, '/v1/chat/completions', chat('claude-3.5-sonnet'), free)).status).toBe(200);
    expect((await serve.stop()).code).toBe(0);
    expect(guide(GUIDE.denials, file)).toEqual([]);
    const [check] = guide(GUIDE.checksCompleted, file).map((l) => JSON.parse(l) as Record<string, any>);
    expect(check).toMatchObject({ allowed: false, enforced: false, modelId: 'claude-3.5-sonnet', userTier: 'free' });
    expect(check!.msg).toContain('would be refused (shadow mode');
  }, 120_000);

  it('refuses a log file it cannot open, with exit 2 and the path, also under /proc', async () => {
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, '');
    // /proc: Node 20's recursive mkdir spins there for ever; each level is made by hand.
    for (const path of [join(notADirectory, 'backend.log'), '/proc/tierctl/logs/backend.log']) {
      const run = await runCli(['serve', '--port', '0', '--database-url', db().url, '--log-file', path], { env: { JWT_SECRET: TEST_JWT_SECRET }, timeoutMs: 60_000 });
      expect(run.code, path).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`Cannot open the log file ${path} for appending: E[A-Z]+`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  }, 150_000);
});
