import { ok } from '../../shared/failure.js';
import { runVerify } from '../../verify/run-verify.js';
import type { VerifyRunner } from './deploy-types.js';

/** `tierctl verify` in-process, as deploy and rehearse run it: health first, then all eight checks. */
export function verifyRunner(o: { waitMs: number; timeoutMs: number; fixturesDir: string; password: string }): VerifyRunner {
  return async ({ apiUrl, database, signal }) => {
    const r = await runVerify({ apiUrl, database, fixturesDir: o.fixturesDir, password: o.password, waitMs: o.waitMs, timeoutMs: o.timeoutMs }, signal ? { signal } : {});
    if (!r.ok) return r;
    return ok({ passed: r.value.passed, checks: r.value.checks.map((c) => ({ id: c.id, title: c.title, result: c.result, durationMs: c.durationMs, message: c.message })), report: r.value });
  };
}
