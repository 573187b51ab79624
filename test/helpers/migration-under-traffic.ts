/**
 * The guide's "zero downtime" promise, tested: the backend serves a steady mix of requests
 * while `tierctl migrate apply`, `tierctl seed` and `tierctl migrate rollback` (the real CLI)
 * change the database under it. Records every request, the ACCESS EXCLUSIVE locks on
 * models, and when each change started and ended, and judges every answer by the rule in
 * force when it was asked (test/helpers/access-rule.ts).
 */
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import type { AppOptions } from '../../src/server/app-options.js';
import { observeAlwaysOk, observeDenial, observeListing, oldRuleSeenAfter, wrongRuleAnswers, type RuleChange } from './access-rule.js';
import { chat, loginToken } from './api-client.js';
import { writeLedgerUpTo } from './ledger-rows.js';
import { startLockSampler, type LockReport } from './lock-sampler.js';
import { runCli } from './run-cli.js';
import { seedSandbox } from './sandbox.js';
import { startApp } from './server.js';
import { percentile, startTraffic, type Sample, type TrafficRequest } from './steady-traffic.js';
import { createTestDatabase } from './test-database.js';
import { waitFor } from './wait-for.js';

export interface ScenarioOptions {
  readonly rate: number;
  /** Traffic before the migration, between seeding and the rollback, and after the rollback. */
  readonly phaseMs: number;
  /**
   * A phase also lasts until every request kind has this many answers to requests sent after
   * it began (after the seed and the rollback: after their transition). On a loaded machine
   * the traffic falls behind its rate; a phase counted in answers still shows each rule as
   * often as the assertions need. Default 0: time alone.
   */
  readonly phaseAnswers?: number;
  /** App options for the server under test (e.g. a fault: no change listener). */
  readonly app?: Partial<AppOptions>;
}

export interface ScenarioResult {
  readonly requests: number;
  /** 5xx answers and requests without an answer. */
  readonly failed: number;
  /** Answers given by the wrong rule (or by no rule) outside the transition windows. */
  readonly wrongRule: readonly Sample[];
  /** The transition allowed after each change (answers in it may follow either rule). */
  readonly transitionMs: number;
  /** After seeding and after the rollback: the last answer by the old rule, ms after the change ended. */
  readonly oldRuleSeenAfterMs: readonly number[];
  /** p99 before the change (warm-up excluded) and while the CLI ran. */
  readonly p99BeforeMs: number;
  readonly p99DuringMs: number;
  /** Answers per request kind, status and rule seen, e.g. `free-pro-model 403 enforced: 500`. */
  readonly answers: Readonly<Record<string, number>>;
  readonly locks: LockReport;
  readonly changes: { readonly applyMs: number; readonly seedMs: number; readonly rollbackMs: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Each change NOTIFYs every instance at commit (20251108000100_tier_cache_invalidation; the
// listener in src/server/cache/pg-change-listener.ts drops the caches and re-reads the schema),
// and the app looks at the schema itself every 2 s (schemaRecheckMs) in case a notification
// was lost. One second is the bound issue 5 sets for a change to take effect everywhere.
const TRANSITION_MS = 1_000;

async function timedCli(args: string[], env: Record<string, string>) {
  const start = performance.now();
  const r = await runCli(args, { env });
  if (r.code !== 0) throw new Error(`tierctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { start, end: performance.now() };
}

async function trafficMix(url: string): Promise<TrafficRequest[]> {
  const [free, pro, enterprise] = (await Promise.all(['free', 'pro', 'enterprise'].map((t) => loginToken(url, `${t}@example.com`)))) as [string, string, string];
  const completion = (kind: string, user: string, token: string, model: string, observe: TrafficRequest['observe']): TrafficRequest => ({
    kind,
    method: 'POST',
    path: '/v1/chat/completions',
    user,
    model,
    token,
    body: chat(model),
    observe,
  });
  return [
    { kind: 'list-free', method: 'GET', path: '/v1/models', user: 'free', token: free, observe: observeListing('claude-3.5-sonnet') },
    completion('free-pro-model', 'free', free, 'claude-3.5-sonnet', observeDenial('claude-3.5-sonnet', 'free', 'pro')),
    completion('pro-pro-model', 'pro', pro, 'claude-3.5-sonnet', observeAlwaysOk),
    completion('free-free-model', 'free', free, 'gpt-4o-mini', observeAlwaysOk),
    { kind: 'list-anonymous', method: 'GET', path: '/v1/models', user: 'anonymous', observe: observeAlwaysOk },
    completion('enterprise-gpt-5', 'enterprise', enterprise, 'gpt-5', observeAlwaysOk),
    completion('pro-enterprise-model', 'pro', pro, 'gpt-5', observeDenial('gpt-5', 'pro', 'enterprise')),
  ];
}

export async function migrationUnderTraffic(o: ScenarioOptions): Promise<ScenarioResult> {
  const db = await createTestDatabase('baseline');
  try {
    const baseline = (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name;
    await writeLedgerUpTo(db, baseline);
    await seedSandbox(db, { assignments: false });
    const app = await startApp(db, o.app);
    try {
      const mix = await trafficMix(app.url);
      const traffic = startTraffic(app.url, mix, o.rate);
      const locks = await startLockSampler(db.url);
      const env = { DATABASE_URL: db.url };
      const phase = async (since: number) => {
        await sleep(o.phaseMs);
        const enough = () => mix.every((r) => (traffic.answeredSince(since)[r.kind] ?? 0) >= (o.phaseAnswers ?? 0));
        await waitFor(`${o.phaseAnswers} answers of each request kind`, async () => enough(), 60_000, 50);
      };
      await phase(traffic.started);
      const apply = await timedCli(['migrate', 'apply'], env);
      const seed = await timedCli(['seed', '--yes'], env);
      await phase(seed.end + TRANSITION_MS);
      const rollback = await timedCli(['migrate', 'rollback', '--accept-loss', '--yes'], env);
      await phase(rollback.end + TRANSITION_MS);
      const samples = await traffic.stop();
      const lockReport = await locks.stop();
      // The tier columns appear with every model at 'free': answers change when the seed commits.
      const changes: RuleChange[] = [
        { start: seed.start, end: seed.end, to: 'enforced' },
        { start: rollback.start, end: rollback.end, to: 'open' },
      ];
      const latency = (list: Sample[]) => Number(percentile(list.map((s) => s.end - s.start), 0.99).toFixed(2));
      const warm = traffic.started + Math.min(1_000, o.phaseMs / 3);
      const during = samples.filter((s) => (s.start >= apply.start && s.start <= seed.end) || (s.start >= rollback.start && s.start <= rollback.end));
      return {
        requests: samples.length,
        failed: samples.filter((s) => s.status === 0 || s.status >= 500).length,
        wrongRule: wrongRuleAnswers(samples, 'open', changes, TRANSITION_MS),
        transitionMs: TRANSITION_MS,
        oldRuleSeenAfterMs: oldRuleSeenAfter(samples, 'open', changes),
        p99BeforeMs: latency(samples.filter((s) => s.start >= warm && s.start < apply.start)),
        p99DuringMs: latency(during),
        answers: samples.reduce<Record<string, number>>((acc, s) => {
          const key = `${s.kind} ${s.status} ${s.observed}`;
          acc[key] = (acc[key] ?? 0) + 1;
          return acc;
        }, {}),
        locks: lockReport,
        changes: { applyMs: Math.round(apply.end - apply.start), seedMs: Math.round(seed.end - seed.start), rollbackMs: Math.round(rollback.end - rollback.start) },
      };
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}
