import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { ok, type Result } from '../../shared/failure.js';
import { applyRefusal, pendingMigrations } from '../migrate/apply-plan.js';
import { migrationProblems } from '../migrate/migration-problems.js';
import { loadMigrationSet, readMigrationState, type MigrationSet } from '../migrate/migration-state.js';
import { finding, type Finding } from './findings.js';
import { plainTarget } from '../../shared/database-target.js';

/**
 * Where the copy of production stands, and so which drill fits: `baseline` (the tier
 * migration is pending: deploy, then drill the rollback, then re-apply), `deployed` (it is
 * applied: drill the rollback first, then re-apply), or `blocked` (a failed or partial
 * migration, no ledger, drift: the real deployment would refuse; that is the finding).
 */
export interface StartingState {
  readonly kind: 'baseline' | 'deployed' | 'blocked';
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  readonly tierSchema: 'absent' | 'present' | 'partial';
  readonly findings: readonly Finding[];
}

export async function startingState(url: string, migrationsDir?: string): Promise<Result<{ state: StartingState; set: MigrationSet }>> {
  const set = await loadMigrationSet(migrationsDir);
  if (!set.ok) return set;
  return withMigrationSession(plainTarget(url), 'rehearse', async (client, schema) => {
    const state = await readMigrationState(client, schema, set.value.files);
    const problems = migrationProblems(state, set.value.hasTierMigration);
    const refusal = applyRefusal(set.value, state);
    const applied = state.status.entries.filter((e) => e.state === 'applied' || e.state === 'modified').map((e) => e.name);
    const pending = pendingMigrations(set.value, state).map((f) => f.name);
    const tierApplied = applied.includes(TIER_MIGRATION);
    const kind = refusal !== null || problems.some((p) => p.level === 'error') ? 'blocked' : tierApplied ? 'deployed' : 'baseline';
    const findings: Finding[] = problems.map((p) =>
      finding({
        id: 'starting-state',
        severity: p.level === 'error' || (refusal && (p.code === 'migration_modified' || p.code === 'missing_locally')) ? 'blocker' : 'warning',
        title: p.level === 'error' ? `The copy's migration state stops the deployment${p.prisma ? ` (${p.prisma})` : ''}` : "The copy's migration history needs attention",
        detail: p.message,
        wayOut: p.hint,
        evidence: { code: p.code, ledger: state.status.entries.map((e) => ({ name: e.name, state: e.state })) },
      }),
    );
    if (kind !== 'blocked') {
      findings.unshift(finding({
        id: 'starting-state',
        severity: 'info',
        title: kind === 'deployed' ? 'The copy already has the tier schema: the rollback is drilled first, then the re-deployment' : 'The copy is at the guide\'s starting point: deployment first, then the rollback drill',
        detail: `Applied: ${applied.join(', ') || 'none'}. Pending: ${pending.join(', ') || 'none'}. Tier columns: ${state.tier.state}.`,
      }));
    }
    return ok({ state: { kind, applied, pending, tierSchema: state.tier.state, findings }, set: set.value });
  });
}
