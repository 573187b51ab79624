/**
 * The guide's "zero downtime" promise, tested: the backend serves a steady mix of requests
 * while `tierctl migrate apply`, `tierctl seed` and `tierctl migrate rollback` (the real CLI)
 * change the database under it. Records every request, the ACCESS EXCLUSIVE locks on
 * models, and when each change started and ended.
 */
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migration-files.js';
import { loginToken } from './api-client.js';
import { writeLedgerUpTo } from './ledger-rows.js';
import { startLockSampler } from './lock-sampler.js';
import { runCli } from './run-cli.js';
import { seedSandbox } from './sandbox.js';
import { startApp } from './server.js';
import { percentile, startTraffic, type Sample } from './steady-traffic.js';
import { createTestDatabase } from './test-database.js';

export interface ScenarioOptions {
  readonly rate: number;
  /** Traffic before the migration, between seeding and the rollback, and after the rollback. */
  readonly phaseMs: number;
}

export interface ScenarioResult {
  readonly requests: number;
  /** 5xx answers and requests without an answer. */
  readonly failed: number;
  /** Answers given by the wrong rule outside the transition windows. */
  readonly wrongRule: readonly Sample[];
  /** The transition allowed after each change (answers in it may follow either rule). */
  readonly transitionMs: number;
  readonly p99BeforeMs: number;
  readonly p99DuringMs: number;
  /** Answers per request kind and status, e.g. `free-pro-model 403: 500`. */
  readonly answers: Readonly<Record<string, number>>;
  readonly lockMaxMs: number;
  readonly lockSamples: number;
  readonly lockIntervalMs: number;
  readonly changes: { readonly applyMs: number; readonly seedMs: number; readonly rollbackMs: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Each change NOTIFYs every instance at commit (20251108000100_tier_cache_invalidation); one
// second is the bound issue 5 sets for a change to take effect everywhere.
const TRANSITION_MS = 1_000;

async function timedCli(args: string[], env: Record<string, string>) {
  const start = performance.now();
  const r = await runCli(args, { env });
  if (r.code !== 0) throw new Error(`tierctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { start, end: performance.now() };
}

export async function migrationUnderTraffic(o: ScenarioOptions): Promise<ScenarioResult> {
  const db = await createTestDatabase('baseline');
  try {
    const baseline = (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name;
    await writeLedgerUpTo(db, baseline);
    await seedSandbox(db, { assignments: false });
    const app = await startApp(db);
    try {
      const [free, pro, enterprise] = await Promise.all(['free', 'pro', 'enterprise'].map((t) => loginToken(app.url, `${t}@example.com`)));
      const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'Hello' }] });
      const traffic = startTraffic(
        app.url,
        [
          { kind: 'list-free', method: 'GET', path: '/v1/models', token: free! },
          { kind: 'free-pro-model', method: 'POST', path: '/v1/chat/completions', token: free!, body: chat('claude-3.5-sonnet') },
          { kind: 'pro-pro-model', method: 'POST', path: '/v1/chat/completions', token: pro!, body: chat('claude-3.5-sonnet') },
          { kind: 'free-free-model', method: 'POST', path: '/v1/chat/completions', token: free!, body: chat('gpt-4o-mini') },
          { kind: 'list-anonymous', method: 'GET', path: '/v1/models' },
          { kind: 'enterprise-gpt-5', method: 'POST', path: '/v1/chat/completions', token: enterprise!, body: chat('gpt-5') },
        ],
        o.rate,
      );
      const locks = await startLockSampler(db.url);
      const env = { DATABASE_URL: db.url };
      await sleep(o.phaseMs);
      const apply = await timedCli(['migrate', 'apply'], env);
      const seed = await timedCli(['seed', '--yes'], env);
      await sleep(o.phaseMs);
      const rollback = await timedCli(['migrate', 'rollback', '--accept-loss', '--yes'], env);
      await sleep(o.phaseMs);
      const samples = await traffic.stop();
      const lock = await locks.stop();
      const enforcedFrom = seed.end + TRANSITION_MS;
      const freeAgainFrom = rollback.end + TRANSITION_MS;
      const wrongRule = samples.filter((s) => {
        if (s.status === 0 || s.status >= 500) return false;
        if (s.kind !== 'free-pro-model') return s.status !== 200;
        if (s.start < apply.start || s.start >= freeAgainFrom) return s.status !== 200;
        if (s.start >= enforcedFrom && s.end < rollback.start) return !(s.status === 403 && s.code === 'model_access_restricted');
        return false; // in a transition: either rule
      });
      const latency = (list: Sample[]) => percentile(list.map((s) => s.end - s.start), 0.99);
      const during = samples.filter((s) => (s.start >= apply.start && s.start <= seed.end) || (s.start >= rollback.start && s.start <= rollback.end));
      return {
        requests: samples.length,
        failed: samples.filter((s) => s.status === 0 || s.status >= 500).length,
        wrongRule,
        transitionMs: TRANSITION_MS,
        p99BeforeMs: Number(latency(samples.filter((s) => s.start < apply.start)).toFixed(2)),
        p99DuringMs: Number(latency(during).toFixed(2)),
        answers: samples.reduce<Record<string, number>>((acc, s) => ((acc[`${s.kind} ${s.status}`] = (acc[`${s.kind} ${s.status}`] ?? 0) + 1), acc), {}),
        lockMaxMs: lock.maxMs,
        lockSamples: lock.samples,
        lockIntervalMs: lock.intervalMs,
        changes: { applyMs: Math.round(apply.end - apply.start), seedMs: Math.round(seed.end - seed.start), rollbackMs: Math.round(rollback.end - rollback.start) },
      };
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}
