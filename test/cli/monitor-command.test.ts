import { createServer, type Socket } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { startPrefixProxy } from '../helpers/prefix-proxy.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');

/** `n` api_logs rows: tier denials (or other statuses) `ageMinutes` ago. */
async function logRows(n: number, opts: { ageMinutes?: number; status?: number; errorCode?: string | null; tierCheckMs?: number } = {}) {
  await db().pool.query(
    `INSERT INTO api_logs (method, path, model_id, status_code, error_code, latency_ms, tier_check_ms, created_at)
     SELECT 'POST', '/v1/chat/completions', 'gpt-5', $2, $3, 1.5, $4, now() - make_interval(mins => $5) FROM generate_series(1, $1)`,
    [n, opts.status ?? 403, opts.errorCode === undefined ? 'model_access_restricted' : opts.errorCode, opts.tierCheckMs ?? 0.2, opts.ageMinutes ?? 5],
  );
}

const monitor = (...args: string[]) => runCli(['monitor', '--once', ...args], { env: { DATABASE_URL: db().url } });

describe('tierctl monitor --once', () => {
  beforeEach(async () => {
    await db().pool.query('TRUNCATE api_logs');
  });

  it('exits 0 at exactly 100 denials in the last hour (older ones do not count) and 1 above', async () => {
    await logRows(100);
    await logRows(50, { ageMinutes: 90 });
    await logRows(7, { status: 200, errorCode: null });
    const quiet = await monitor('--json');
    expect(quiet.code).toBe(0);
    // Issue 13: no query queued on a busy client (pg's DeprecationWarning, an error in pg 9).
    expect(quiet.stderr).not.toMatch(/DeprecationWarning|already executing/);
    const report = JSON.parse(quiet.stdout);
    expect(report.alerts.find((a: { id: string }) => a.id === 'tier_denials')).toMatchObject({ value: 100, firing: false, source: 'api_logs' });
    expect(report.requestsByStatus).toEqual([{ status: 200, count: 7 }, { status: 403, count: 100 }]);
    expect(report.deniedPerHour.reduce((s: number, h: { count: number }) => s + h.count, 0)).toBe(150);

    await logRows(1);
    const loud = await monitor();
    expect(loud.code).toBe(1);
    expect(loud.stdout).toMatch(/Tier access denials in the last hour\s*│\s*101.*ALERT/);
  });

  it('alerts on tier-check latency from api_logs, with the threshold as a flag', async () => {
    await logRows(10, { status: 200, errorCode: null, tierCheckMs: 12 });
    expect((await monitor()).code).toBe(1);
    expect((await monitor('--max-tier-check-ms', '20')).code).toBe(0);
  });

  it('shows the cache hit rate as not measured without --api-url, and refuses bad usage', async () => {
    const r = await monitor('--json');
    expect(JSON.parse(r.stdout).alerts.find((a: { id: string }) => a.id === 'cache_hit_rate')).toMatchObject({ value: null, firing: false, note: 'needs --api-url (read from /metrics)' });
    expect((await runCli(['monitor', '--once'])).code).toBe(2);
    expect((await monitor('--min-cache-hit-rate', '180')).code).toBe(2);
    expect((await monitor('--watch', '5')).code).toBe(2);
    expect((await runCli(['monitor', '--once', '--api-url', 'http://127.0.0.1:1'])).code).toBe(3);
  });

  it("reads the cache hit rate and tier-check latency from a live server's /metrics", async () => {
    await seedSandbox(db());
    const app = await startApp(db());
    try {
      for (let i = 0; i < 9; i++) await fetch(`${app.url}/v1/models`).then((r) => r.text());
      const r = await runCli(['monitor', '--once', '--api-url', app.url, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const cache = JSON.parse(r.stdout).alerts.find((a: { id: string }) => a.id === 'cache_hit_rate');
      expect(cache).toMatchObject({ source: 'metrics', firing: false });
      expect(cache.value).toBeGreaterThanOrEqual(0.8);
      expect(cache.value).toBeLessThan(1);
      // One miss (the first load, or the warm-up) in ten or so lookups: 100 % is never met.
      expect((await runCli(['monitor', '--once', '--api-url', app.url, '--min-cache-hit-rate', '100'])).code).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('/metrics answering a 404 HTML page: its figures are "not measured" (exit 5, not the alert code 1), the api_logs figures still print, text and --json', async () => {
    await logRows(3);
    await logRows(2, { status: 200, errorCode: null, tierCheckMs: 0.5 });
    await seedSandbox(db());
    const app = await startApp(db());
    // A gateway that serves the app under /api only: its root's /metrics is a 404 HTML page.
    const gateway = await startPrefixProxy(app.url, '/api');
    try {
      const json = await monitor('--api-url', gateway.url, '--json');
      expect(json.code, json.stderr).toBe(5);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({ ok: false, firing: 0, requestsByStatus: [{ status: 200, count: 2 }, { status: 403, count: 3 }] });
      expect(report.notMeasured).toEqual([{ source: 'metrics', reason: expect.stringMatching(/^not measured: .*\/metrics answered 404 \(text\/html\)/) }]);
      const byId = Object.fromEntries(report.alerts.map((a: { id: string }) => [a.id, a]));
      expect(byId.tier_denials).toMatchObject({ value: 3, source: 'api_logs', firing: false });
      expect(byId.tier_check_latency).toMatchObject({ source: 'api_logs', firing: false });
      expect(byId.cache_hit_rate).toMatchObject({ value: null, source: 'metrics', firing: false, note: expect.stringContaining('404') });

      const text = await monitor('--api-url', gateway.url);
      expect(text.code, text.stderr).toBe(5);
      expect(text.stdout).toMatch(/Tier access denials in the last hour\s*│\s*3\b/);
      expect(text.stdout).toContain('Requests in the last hour by status: 200: 2, 403: 3');
      expect(text.stdout).toMatch(/Not measured \(metrics\): .*\/metrics answered 404/);

      // An alert that fires still wins: exit 1.
      expect((await monitor('--api-url', gateway.url, '--max-denials-per-hour', '1')).code).toBe(1);
      // Behind its prefix, the same gateway is measured (the server's warm-up lookup is a miss: no hit-rate floor here): exit 0.
      const measured = await monitor('--api-url', `${gateway.url}/api`, '--min-cache-hit-rate', '0', '--json');
      expect(measured.code, measured.stdout).toBe(0);
      expect(JSON.parse(measured.stdout).notMeasured).toEqual([]);
    } finally {
      await gateway.close();
      await app.close();
    }
  });

  it('/metrics refused or timing out: "not measured" (exit 5) like the 404 case, the api_logs figures still print; alone, an unreachable API is exit 3', async () => {
    await logRows(4);
    const refused = `http://127.0.0.1:${await freePort()}`;
    const json = await monitor('--api-url', refused, '--json');
    expect(json.code, json.stdout + json.stderr).toBe(5);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, firing: 0, requestsByStatus: [{ status: 403, count: 4 }] });
    expect(report.notMeasured).toEqual([{ source: 'metrics', reason: expect.stringMatching(/^not measured: Cannot read .*\/metrics: connection refused/) }]);
    const byId = Object.fromEntries(report.alerts.map((a: { id: string }) => [a.id, a]));
    expect(byId.tier_denials).toMatchObject({ value: 4, source: 'api_logs', firing: false });
    expect(byId.cache_hit_rate).toMatchObject({ value: null, source: 'metrics', firing: false, note: expect.stringContaining('connection refused') });

    const text = await monitor('--api-url', refused);
    expect(text.code, text.stderr).toBe(5);
    expect(text.stdout).toMatch(/Tier access denials in the last hour\s*│\s*4\b/);
    expect(text.stdout).toMatch(/Not measured \(metrics\): Cannot read .*connection refused/);
    expect(text.stdout).not.toContain('not measured: not measured');
    expect((await monitor('--api-url', refused, '--max-denials-per-hour', '1')).code).toBe(1);
    // Nothing else to measure: the API unreachable is the failure itself.
    const alone = await runCli(['monitor', '--once', '--api-url', refused]);
    expect(alone.code).toBe(3);
    expect(alone.stderr).toContain('connection refused');

    // An API that accepts the connection and never answers: timed out, not measured.
    const held = new Set<Socket>();
    const silent = createServer((s) => held.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const timedOut = await monitor('--api-url', url, '--timeout', '300ms', '--json');
      expect(timedOut.code, timedOut.stdout + timedOut.stderr).toBe(5);
      expect(JSON.parse(timedOut.stdout).notMeasured).toEqual([{ source: 'metrics', reason: expect.stringContaining('timed out') }]);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('the database unreachable while /metrics is read: api_logs is "not measured" (exit 5), the /metrics figures still print', async () => {
    await seedSandbox(db());
    const app = await startApp(db());
    try {
      const down = `postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`;
      const r = await runCli(['monitor', '--once', '--api-url', app.url, '--min-cache-hit-rate', '0', '--json'], { env: { DATABASE_URL: down } });
      expect(r.code, r.stdout + r.stderr).toBe(5);
      const report = JSON.parse(r.stdout);
      expect(report.notMeasured).toEqual([{ source: 'api_logs', reason: expect.stringMatching(/^not measured: Cannot reach PostgreSQL/) }]);
      const byId = Object.fromEntries(report.alerts.map((a: { id: string }) => [a.id, a]));
      expect(byId.tier_denials).toMatchObject({ value: null, source: 'api_logs', firing: false });
      expect(byId.cache_hit_rate).toMatchObject({ source: 'metrics' });
      // Both sources down: nothing measured, exit 3.
      expect((await runCli(['monitor', '--once', '--api-url', `http://127.0.0.1:${await freePort()}`], { env: { DATABASE_URL: down } })).code).toBe(3);
    } finally {
      await app.close();
    }
  });

  it('a database (or ?schema=) without api_logs: "not measured" (exit 5) with the reason, not "a bug in tierctl"', async () => {
    const r = await runCli(['monitor', '--once', '--json'], { env: { DATABASE_URL: `${db().url}?schema=elsewhere` } });
    expect(r.code, r.stdout + r.stderr).toBe(5);
    const report = JSON.parse(r.stdout);
    expect(report.notMeasured).toEqual([{ source: 'api_logs', reason: expect.stringContaining('has no table elsewhere.api_logs') }]);
    expect(report.alerts.find((a: { id: string }) => a.id === 'tier_denials')).toMatchObject({ value: null, source: 'api_logs', firing: false });
    const text = await runCli(['monitor', '--once'], { env: { DATABASE_URL: `${db().url}?schema=elsewhere` } });
    expect(text.code).toBe(5);
    expect(text.stdout).toMatch(/Not measured \(api_logs\): .*has no table elsewhere\.api_logs/);
    expect(text.stderr).not.toMatch(/Internal error|bug in tierctl/);
  });
});

