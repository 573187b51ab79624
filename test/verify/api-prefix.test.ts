/**
 * Issue 19 item 5: `--api-url http://host/api` is a base URL whose path is kept: verify,
 * deploy's health wait and monitor request `/api/health`, `/api/v1/...`, `/api/metrics`
 * (a trailing slash is not doubled), and the report prints the URL it requested. The target
 * is the real app behind a gateway that serves it under `/api` only and answers anything
 * else with a 404 HTML page: verify assumes nothing beyond the guide's HTTP contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { startPrefixProxy, type PrefixProxy } from '../helpers/prefix-proxy.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
let app: RunningApp;
let gateway: PrefixProxy;

beforeAll(async () => {
  await seedSandbox(db());
  app = await startApp(db());
  gateway = await startPrefixProxy(app.url, '/api');
});
afterAll(async () => {
  await gateway?.close();
  await app?.close();
});

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db().url } });
const asked = () => gateway.paths.splice(0);

describe('an API behind a path prefix', () => {
  it('verify --api-url http://host/api: every request under /api, 8/8, the header names the URL requested', async () => {
    asked();
    const r = await cli(['verify', '--api-url', `${gateway.url}/api`]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`Health: ${gateway.url}/api/health healthy`);
    const paths = asked();
    expect(paths).toContain('/api/health');
    expect(paths).toContain('/api/v1/models');
    expect(paths).toContain('/api/v1/auth/login');
    expect(paths).toContain('/api/v1/chat/completions');
    expect(paths.filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('a trailing slash is not doubled', async () => {
    asked();
    const r = await cli(['verify', '--api-url', `${gateway.url}/api/`, '--only', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Health: ${gateway.url}/api/health healthy`);
    expect(asked()).toEqual(['/api/health', '/api/v1/models']);
  });

  it('the wrong base (no prefix): the 404 page is named with the URL that was requested, exit 3', async () => {
    const r = await cli(['verify', '--api-url', gateway.url, '--wait', '1']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`${gateway.url}/health was not healthy`);
    expect(r.stderr).toContain('HTTP 404');
  });

  it('monitor reads /api/metrics', async () => {
    asked();
    const r = await cli(['monitor', '--api-url', `${gateway.url}/api`, '--json']);
    const report = JSON.parse(r.stdout) as { alerts: { id: string; source: string | null }[] };
    expect(report.alerts.find((a) => a.id === 'cache_hit_rate')?.source, r.stderr).toBe('metrics');
    expect(asked()).toEqual(['/api/metrics']);
  });
});
