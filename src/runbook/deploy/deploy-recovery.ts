import { appliedByRun } from '../../db/migrations/migration-records.js';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import type { AssignmentChange } from '../../db/tier-assignments.js';
import { ExitCode } from '../../shared/exit-codes.js';
import type { Failure, Result } from '../../shared/failure.js';
import { ok } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateDown } from '../migrate/migrate-down.js';
import { hookPhase } from './deploy-phases.js';
import type { DeployDeps, DeployOptions, DeployReport, DeployState } from './deploy-types.js';
import { runPhase, type PhaseRun } from './run-phase.js';
import { undoSeed } from './undo-seed.js';

interface FailureContext {
  readonly failure: Failure;
  /** This deployment's id: the migrations recorded with it are the only ones it may roll back. */
  readonly runId: string;
  /** The stop hook ran: the service is down until something starts it. */
  readonly stopped: boolean;
}

const phaseData = <T>(run: PhaseRun, id: 'backup' | 'migrate' | 'seed'): T | null => (run.journal.phases.find((p) => p.id === id && p.outcome === 'ok')?.data ?? null) as T | null;

/**
 * What this deployment changed, read from the database rather than assumed: the migrations
 * `_tierctl_migrations` records under its run id (exact, also across --resume and a kill
 * between a COMMIT and the journal write), plus those its journal says it applied (a journal
 * from before run ids), and the tier values its seed phase changed.
 */
async function thisRunsChanges(run: PhaseRun, o: DeployOptions, runId: string): Promise<Result<{ migrations: string[]; seed: AssignmentChange[] }>> {
  const recorded = await withMigrationSession(o.database, 'deploy', async (client, schema) => ok(await appliedByRun(client, schema, runId)), { plain: true });
  if (!recorded.ok) return recorded;
  const journaled = (phaseData<{ applied?: { name: string }[] }>(run, 'migrate')?.applied ?? []).map((a) => a.name);
  const migrations = [...new Set([...recorded.value, ...(run.journal.runId ? [] : journaled)])].sort();
  return ok({ migrations, seed: phaseData<{ changes?: AssignmentChange[] }>(run, 'seed')?.changes ?? [] });
}

/** Brings a stopped service back with --start-cmd; says what state the service is in. */
async function restartService(run: PhaseRun, o: DeployOptions, deps: DeployDeps, stopped: boolean, onto: string): Promise<string> {
  if (!stopped) return o.startCmd ? 'as --start-cmd left it (not stopped by tierctl)' : 'not stopped or started by tierctl (no hooks)';
  if (!o.startCmd) return 'STOPPED by --stop-cmd (no --start-cmd given): start it yourself';
  const r = await runPhase(run, 'restart', `Start the backend again ${onto}`, () => hookPhase(o.startCmd!, o.hookTimeoutMs, deps.signal));
  return r.ok ? `started again by --start-cmd ${onto}` : `STOPPED: --start-cmd failed again (${r.failure.message.split('\n')[0]})`;
}

/**
 * After a failed phase, undo exactly what this deployment did and nothing else (safety rule
 * 1): the migrations it applied (unless --no-auto-rollback) or, when it applied none, the
 * tier values its seed changed. A run that changed nothing rolls nothing back: the
 * database stays as it was. Then start the service again if the stop hook stopped it, and
 * say where things are. An interruption only describes the state: `deploy --resume` continues.
 */
export async function recoverAfterFailure(run: PhaseRun, o: DeployOptions, deps: DeployDeps, f: FailureContext): Promise<{ outcome: DeployReport['outcome']; state: DeployState; nothingChanged?: boolean }> {
  const manifest = phaseData<{ manifestPath?: string }>(run, 'backup')?.manifestPath ?? null;
  const rollbackHint = `roll back with \`tierctl rollback${manifest ? ` --backup ${manifest}` : ''}\``;
  const changes = await thisRunsChanges(run, o, f.runId);
  if (!changes.ok) {
    return { outcome: 'failed', state: { database: `unknown: could not read what this run applied (${changes.failure.message.split('\n')[0]}); nothing was rolled back`, service: f.stopped ? 'STOPPED by --stop-cmd' : 'not stopped by tierctl' } };
  }
  const { migrations, seed } = changes.value;
  const ours = migrations.length > 0 ? `this run applied ${migrations.join(', ')}` : seed.length > 0 ? `this run changed the tier values of ${seed.map((c) => c.id).join(', ')}` : null;
  if (f.failure.exitCode === ExitCode.interrupted) {
    return {
      outcome: 'interrupted',
      state: {
        database: ours ? `${ours}; continue with \`tierctl deploy --resume\` or ${rollbackHint}` : 'unchanged by this run; continue with `tierctl deploy --resume`',
        service: f.stopped ? 'STOPPED by --stop-cmd: `tierctl deploy --resume` starts it (or start it yourself)' : 'not stopped by tierctl',
      },
    };
  }
  if (!ours) {
    const service = await restartService(run, o, deps, f.stopped, 'on the unchanged schema');
    const serviceAsFound = !f.stopped || run.journal.phases.some((p) => p.id === 'restart' && p.outcome === 'ok');
    return { outcome: 'failed', state: { database: 'unchanged: this run applied no migration and changed no tier value, so nothing was rolled back', service }, nothingChanged: serviceAsFound };
  }
  if (!o.autoRollback) {
    return { outcome: 'failed', state: { database: `${ours}; left for inspection (--no-auto-rollback): ${rollbackHint}`, service: f.stopped && !o.startCmd ? 'STOPPED by --stop-cmd' : 'as the failed phase left it' } };
  }
  const undone = migrations.length > 0 ? await rollBackOurMigrations(run, o, deps, f, migrations, seed) : await undoSeed(run, o, seed);
  if (!undone.ok) {
    return { outcome: 'failed', state: { database: `${ours}; undoing it failed (${undone.failure.message.split('\n')[0]}): ${rollbackHint}`, service: f.stopped ? 'STOPPED by --stop-cmd' : 'not stopped by tierctl' } };
  }
  const service = await restartService(run, o, deps, f.stopped, migrations.length > 0 ? 'on the rolled-back schema' : 'on the schema it found');
  return { outcome: 'rolled_back', state: { database: `${undone.data.state}${manifest ? `; the backup taken before is ${manifest}` : ''}`, service } };
}

async function rollBackOurMigrations(run: PhaseRun, o: DeployOptions, deps: DeployDeps, f: FailureContext, migrations: string[], seed: AssignmentChange[]) {
  return runPhase(run, 'auto-rollback', `Roll back what this run applied (automatic, after the failure): ${migrations.join(', ')}`, async () => {
    // Rolling back the tier migration this run applied drops only tier values written since (by this run's seed).
    const r = await migrateDown(
      { database: o.database, exactly: migrations, ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}), acceptLoss: migrations.includes(TIER_MIGRATION), reason: `tierctl deploy: ${f.failure.code}` },
      { reporter: silentReporter, ...(deps.signal ? { signal: deps.signal } : {}) },
    );
    if (!r.ok) return r;
    const seedNote = seed.length > 0 && !migrations.includes(TIER_MIGRATION) ? ' (the seed changes stay: run `tierctl seed` with the earlier assignments to undo them)' : '';
    const state = `back at ${r.value.target ?? 'the start'}: rolled back ${r.value.rolledBack.join(', ')}, the migrations this run applied, and verified${seedNote}`;
    return ok({ detail: state, data: { target: r.value.target, rolledBack: r.value.rolledBack, heldMs: r.value.heldMs, state } });
  });
}
