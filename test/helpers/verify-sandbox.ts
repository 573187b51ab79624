/**
 * A good sandbox (migrated, seeded, served) for the verify tests, and runVerify against it
 * directly or through a fault-injecting proxy that breaks the target in one chosen way.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { FIXTURES_DIR, GUIDE_TEST_PASSWORD } from '../../src/fixtures/load-fixtures.js';
import type { Result } from '../../src/shared/failure.js';
import type { CheckResult } from '../../src/verify/check-result.js';
import { runVerify, type VerifyOptions, type VerifyReport } from '../../src/verify/run-verify.js';
import { startFaultProxy, type Fault } from './fault-proxy.js';
import { seedSandbox } from './sandbox.js';
import { startApp, type RunningApp } from './server.js';
import { useTestDatabase, type TestDatabase } from './test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

export interface VerifySandbox {
  db(): TestDatabase;
  app(): RunningApp;
  /** runVerify's Result against `apiUrl` (default: the app), with the database for test 1; a request gets 15 s (a loaded 2-core machine answered some listings after 5 s). */
  run(apiUrl?: string, extra?: Partial<VerifyOptions>): Promise<Result<VerifyReport>>;
  /** The report, or a thrown error when runVerify gave none. */
  verify(apiUrl?: string, extra?: Partial<VerifyOptions>): Promise<VerifyReport>;
  /** The report of a run through a proxy that applies `fault` to every exchange. */
  verifyThrough(fault: Fault, extra?: Partial<VerifyOptions>): Promise<VerifyReport>;
}

export function useVerifySandbox(): VerifySandbox {
  const db = useTestDatabase('all');
  let app: RunningApp | undefined;
  beforeAll(async () => {
    await seedSandbox(db());
    app = await startApp(db());
  });
  afterAll(async () => {
    await app?.close();
  });
  const running = () => {
    if (!app) throw new Error('the sandbox app is not started yet');
    return app;
  };
  const run = (apiUrl = running().url, extra: Partial<VerifyOptions> = {}) =>
    runVerify({ apiUrl, database: plainTarget(db().url), fixturesDir: FIXTURES_DIR, password: GUIDE_TEST_PASSWORD, waitMs: 5000, timeoutMs: 15_000, ...extra });
  const verify = async (apiUrl?: string, extra?: Partial<VerifyOptions>) => {
    const r = await run(apiUrl, extra);
    if (!r.ok) throw new Error(r.failure.message);
    return r.value;
  };
  return {
    db,
    app: running,
    run,
    verify,
    async verifyThrough(fault, extra) {
      const proxy = await startFaultProxy(running().url, fault);
      try {
        return await verify(proxy.url, extra);
      } finally {
        await proxy.close();
      }
    },
  };
}

/** Each check's result by id. */
export const results = (r: VerifyReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.result]));

/** Asserts that check `id` failed and every other one passed; returns the failed check. */
export function onlyFails(r: VerifyReport, id: number): CheckResult {
  expect(results(r)).toEqual({ 1: 'pass', 2: 'pass', 3: 'pass', 4: 'pass', 5: 'pass', 6: 'pass', 7: 'pass', 8: 'pass', [id]: 'fail' });
  return r.checks.find((c) => c.id === id)!;
}

/** The `models` array of a listing body (for faults that edit it). */
export const models = (json: unknown) => (json as { models: Record<string, unknown>[] }).models;

/** The text of the first user message of a proxied chat request ('Hello' for tests 3 and 5, 'Test' for test 7). */
export const said = (body: unknown) => (body as { messages?: { content?: string }[] } | undefined)?.messages?.[0]?.content;

/** A listing of the caller of `tier` (null: anonymous). */
export const isListingOf = (path: string, json: unknown, tier: string | null) => path === '/v1/models' && (json as { user_tier?: unknown } | undefined)?.user_tier === tier;

/** A fault: the listing of the user of `tier` shows `model` with `status`. */
export const listsAs =
  (tier: string, model: string, status: string): Fault =>
  (req, res) => {
    if (isListingOf(req.path, res.json, tier)) models(res.json).find((m) => m.id === model)!.access_status = status;
  };
