import { ExitCode } from '../../shared/exit-codes.js';
import type { Failure } from '../../shared/failure.js';
import { ok } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateRollback } from '../migrate-rollback.js';
import { hookPhase } from './deploy-phases.js';
import type { DeployDeps, DeployOptions, DeployReport, DeployState } from './deploy-types.js';
import { runPhase, type PhaseRun } from './run-phase.js';

interface FailureContext {
  readonly failure: Failure;
  /** The migrate phase succeeded (in this run or the one resumed). */
  readonly migrated: boolean;
  /** The stop hook ran: the service is down until something starts it. */
  readonly stopped: boolean;
}

const backupManifest = (run: PhaseRun): string | null =>
  ((run.journal.phases.find((p) => p.id === 'backup' && p.outcome === 'ok')?.data ?? null) as { manifestPath?: string } | null)?.manifestPath ?? null;

/** Brings a stopped service back with --start-cmd; says what state the service is in. */
async function restartService(run: PhaseRun, o: DeployOptions, deps: DeployDeps, stopped: boolean, onto: string): Promise<string> {
  if (!stopped) return o.startCmd ? 'as --start-cmd left it (not stopped by tierctl)' : 'not stopped or started by tierctl (no hooks)';
  if (!o.startCmd) return 'STOPPED by --stop-cmd (no --start-cmd given): start it yourself';
  const r = await runPhase(run, 'restart', `Start the backend again ${onto}`, () => hookPhase(o.startCmd!, o.hookTimeoutMs, deps.signal));
  return r.ok ? `started again by --start-cmd ${onto}` : `STOPPED: --start-cmd failed again (${r.failure.message.split('\n')[0]})`;
}

/**
 * After a failed phase: roll the migration back if it ran (unless --no-auto-rollback),
 * start the service again if the stop hook stopped it, and say exactly where things are.
 * An interruption only describes the state: the operator asked to stop, and every step
 * is all-or-nothing, so `deploy --resume` can continue.
 */
export async function recoverAfterFailure(run: PhaseRun, o: DeployOptions, deps: DeployDeps, f: FailureContext): Promise<{ outcome: DeployReport['outcome']; state: DeployState }> {
  const manifest = backupManifest(run);
  const rollbackHint = `roll back with \`tierctl rollback${manifest ? ` --backup ${manifest}` : ''}\``;
  if (f.failure.exitCode === ExitCode.interrupted) {
    return {
      outcome: 'interrupted',
      state: {
        database: f.migrated ? `tier migration applied; continue with \`tierctl deploy --resume\` or ${rollbackHint}` : 'unchanged (the migration did not run); continue with `tierctl deploy --resume`',
        service: f.stopped ? 'STOPPED by --stop-cmd: `tierctl deploy --resume` starts it (or start it yourself)' : 'not stopped by tierctl',
      },
    };
  }
  if (!f.migrated) {
    const service = await restartService(run, o, deps, f.stopped, 'on the unchanged schema');
    return { outcome: 'failed', state: { database: 'unchanged: the migration did not run, or failed and was rolled back by PostgreSQL as one transaction', service } };
  }
  if (!o.autoRollback) {
    return { outcome: 'failed', state: { database: `tier migration applied, left for inspection (--no-auto-rollback): ${rollbackHint}`, service: f.stopped && !o.startCmd ? 'STOPPED by --stop-cmd' : 'as the failed phase left it' } };
  }
  const rolledBack = await runPhase(run, 'auto-rollback', 'Roll the migration back (automatic, after the failure)', async () => {
    // The tier values being dropped were written by this deployment, after the backup: nothing older is lost.
    const r = await migrateRollback(
      { database: o.database, ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}), acceptLoss: true, reason: `tierctl deploy: ${f.failure.code}` },
      { reporter: silentReporter, ...(deps.signal ? { signal: deps.signal } : {}) },
    );
    if (!r.ok) return r;
    return ok({ detail: `back at ${r.value.target ?? 'the start'}: rolled back ${r.value.rolledBack.join(', ')}; tier columns and indexes gone`, data: { target: r.value.target, rolledBack: r.value.rolledBack, heldMs: r.value.heldMs } });
  });
  if (!rolledBack.ok) {
    return { outcome: 'failed', state: { database: `tier migration applied; the automatic rollback failed (${rolledBack.failure.message.split('\n')[0]}): ${rollbackHint}`, service: f.stopped ? 'STOPPED by --stop-cmd' : 'not stopped by tierctl' } };
  }
  const service = await restartService(run, o, deps, f.stopped, 'on the rolled-back schema');
  return {
    outcome: 'rolled_back',
    state: { database: `back at ${rolledBack.data.target ?? 'the start'} (tier migration rolled back and verified)${manifest ? `; the backup taken before is ${manifest}` : ''}`, service },
  };
}
