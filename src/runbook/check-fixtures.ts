import { loadSandboxModels, loadTestUsers, loadTierAssignments } from '../fixtures/load-fixtures.js';
import { err, ok, usageFailure, type Result } from '../shared/failure.js';
import { lintPolicy, type PolicyFinding } from '../tier/lint-policy.js';

export interface FixturesReport {
  readonly dir: string;
  readonly assignments: number;
  readonly testUsers: number;
  readonly sandboxModels: number;
  /** lintPolicy's findings per model (warnings only: errors make the check fail). */
  readonly findings: readonly { readonly model: string; readonly finding: PolicyFinding }[];
}

/** Validates the three fixture files and lints every tier assignment. */
export async function checkFixtures(dir: string): Promise<Result<FixturesReport>> {
  const [assignments, users, models] = await Promise.all([loadTierAssignments(dir), loadTestUsers(dir), loadSandboxModels(dir)]);
  const problems = [assignments, users, models].flatMap((r) => (r.ok ? [] : (r.failure.problems ?? [r.failure.message])));
  if (!assignments.ok || !users.ok || !models.ok) {
    return err(usageFailure('fixture_invalid', `Invalid fixtures:\n  ${problems.join('\n  ')}`, { problems }));
  }
  const findings = Object.entries(assignments.value).flatMap(([model, policy]) => lintPolicy(policy).map((finding) => ({ model, finding })));
  const errors = findings.filter((f) => f.finding.level === 'error');
  if (errors.length > 0) {
    const lines = errors.map((e) => `${dir}/tier-assignments.json $["${e.model}"]: ${e.finding.message}`);
    return err(usageFailure('policy_incoherent', `Incoherent tier assignments:\n  ${lines.join('\n  ')}`, { problems: lines }));
  }
  return ok({ dir, assignments: Object.keys(assignments.value).length, testUsers: users.value.length, sandboxModels: models.value.length, findings });
}
