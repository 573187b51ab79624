import type { TestUser, TierAssignments } from '../fixtures/fixture-schemas.js';
import { loadTestUsers, loadTierAssignments } from '../fixtures/load-fixtures.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../shared/failure.js';
import type { DatabaseTarget } from '../shared/database-target.js';
import type { Tier } from '../tier/index.js';
import type { CheckResult } from './check-result.js';
import { CHECKS, type Check } from './checks.js';
import { deriveExpectations } from './expectations.js';
import { login, type Login, type VerifyContext } from './verify-context.js';
import { waitHealthy, type Health } from './wait-healthy.js';

export interface VerifyOptions {
  readonly apiUrl: string;
  /** Needed by test 1; without it test 1 is skipped (never passed). */
  readonly database?: DatabaseTarget;
  readonly fixturesDir: string;
  /** The test users' password. */
  readonly password: string;
  /** How long to wait for /health. */
  readonly waitMs: number;
  /** Timeout of each request. */
  readonly timeoutMs: number;
  /** Run only these checks (numbers), or all but these. */
  readonly only?: readonly number[];
  readonly skip?: readonly number[];
}

/** `tierctl verify --json` prints this (with `ok`). */
export interface VerifyReport {
  readonly apiUrl: string;
  /** Redacted; null without --database-url. */
  readonly database: string | null;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly health: Health;
  /** All eight, in the guide's order; those not selected are `skipped` with that reason. */
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  readonly counts: { readonly pass: number; readonly fail: number; readonly skipped: number };
}

const selected = (c: Check, o: VerifyOptions) => (!o.only || o.only.includes(c.id)) && !o.skip?.includes(c.id);

async function timed(check: Check, ctx: VerifyContext): Promise<CheckResult> {
  const start = performance.now();
  let verdict;
  try {
    verdict = await check.run(ctx);
  } catch (e) {
    // A target can answer anything: a check that trips over it fails, it does not crash verify.
    verdict = { result: 'fail' as const, message: `could not check: ${(e as Error).message}` };
  }
  return { id: check.id, title: check.title, durationMs: Math.round(performance.now() - start), ...verdict };
}

/** The fixtures the checks derive their expectations from; unreadable or invalid (listing no model included: the schema's rule): exit 2. */
export async function loadVerifyFixtures(dir: string): Promise<Result<{ assignments: TierAssignments; users: TestUser[] }>> {
  const [assignments, users] = await Promise.all([loadTierAssignments(dir), loadTestUsers(dir)]);
  if (!assignments.ok) return assignments;
  if (!users.ok) return users;
  return ok({ assignments: assignments.value, users: users.value });
}

/**
 * `tierctl verify`: the guide's health check (step 9), then its eight post-deployment tests,
 * concurrently, with expectations derived from the fixtures through the tier library. A
 * failed check is a result, not an error; only bad fixtures (exit 2), an API that never
 * became healthy (exit 3) or an interruption end it early.
 */
export async function runVerify(o: VerifyOptions, deps: { signal?: AbortSignal } = {}): Promise<Result<VerifyReport>> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const fixtures = await loadVerifyFixtures(o.fixturesDir);
  if (!fixtures.ok) return fixtures;
  const { assignments, users } = fixtures.value;
  const chosen = CHECKS.filter((c) => selected(c, o));
  if (chosen.length === 0) return err(usageFailure('no_checks_selected', 'No check selected: --only and --skip leave nothing to run (a gate that runs nothing would pass)'));
  const expectations = deriveExpectations(assignments, users);
  const signal = deps.signal ? { signal: deps.signal } : {};
  const health = await waitHealthy(o.apiUrl, { waitMs: o.waitMs, timeoutMs: o.timeoutMs, ...signal });
  if (!health.ok) return health;
  const tiers = [...new Set(chosen.flatMap((c) => c.logins))];
  const logins = new Map<Tier, Login>(
    await Promise.all(
      tiers.filter((t) => expectations.users[t]).map(async (t) => [t, await login(o.apiUrl, expectations.users[t]!, o.password, { timeoutMs: o.timeoutMs, ...signal })] as const),
    ),
  );
  const ctx: VerifyContext = { apiUrl: o.apiUrl, ...(o.database ? { database: o.database } : {}), timeoutMs: o.timeoutMs, ...signal, expectations, logins };
  const ran = await Promise.all(chosen.map((c) => timed(c, ctx)));
  if (deps.signal?.aborted) return err(failure('interrupted', 'Interrupted while verifying', ExitCode.interrupted));
  const checks = CHECKS.map((c) => ran.find((r) => r.id === c.id) ?? { id: c.id, title: c.title, result: 'skipped' as const, durationMs: 0, message: 'not selected (--only/--skip)' });
  const count = (r: CheckResult['result']) => checks.filter((c) => c.result === r).length;
  return ok({
    apiUrl: o.apiUrl,
    database: o.database ? o.database.redacted : null,
    startedAt,
    durationMs: Math.round(performance.now() - start),
    health: health.value,
    checks,
    passed: count('fail') === 0,
    counts: { pass: count('pass'), fail: count('fail'), skipped: count('skipped') },
  });
}
