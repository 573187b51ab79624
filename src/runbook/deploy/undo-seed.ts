import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { revertTierAssignments, type AssignmentChange } from '../../db/tier-assignments.js';
import { ok } from '../../shared/failure.js';
import type { DeployOptions } from './deploy-types.js';
import { runPhase, type PhaseRun } from './run-phase.js';

/**
 * A deployment that applied no migration but seeded: its automatic rollback sets the tier
 * values it changed back to what they were, in one transaction; values changed since by
 * someone else are left alone and named.
 */
export function undoSeed(run: PhaseRun, o: DeployOptions, changes: readonly AssignmentChange[]) {
  return runPhase(run, 'auto-rollback', `Undo this run's seed (automatic, after the failure): ${changes.map((c) => c.id).join(', ')}`, async () => {
    const r = await withMigrationSession(o.database, 'deploy', async (client, schema) => {
      await client.query('BEGIN');
      try {
        const outcome = await revertTierAssignments(client, schema, changes);
        await client.query('COMMIT');
        return ok(outcome);
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    }, { plain: true });
    if (!r.ok) return r;
    const left = r.value.leftAlone.length > 0 ? `; changed since by someone else, left as they are: ${r.value.leftAlone.map((l) => l.id).join(', ')}` : '';
    const state = `migrations as they were (this run applied none); tier values this run's seed changed set back: ${r.value.reverted.join(', ') || 'none'}${left}`;
    return ok({ detail: state, data: { ...r.value, state } });
  });
}
