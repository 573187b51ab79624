import { randomUUID } from 'node:crypto';
import { ok, type Failure, type Result } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateStatus } from '../migrate-status.js';
import { journalForRun, newJournal, readJournal, writeJournal, type DeployJournal, type PhaseId, type PhaseRecord } from './deploy-journal.js';
import { backupPhase, hookPhase, migratePhase, migrationVerifiedPhase, preflightPhase, healthPhase, seedPhase, testUsersPhase, verifyPhase } from './deploy-phases.js';
import { recoverAfterFailure } from './deploy-recovery.js';
import type { DeployDeps, DeployOptions, DeployReport, VerifySummary } from './deploy-types.js';
import { writeDeployEvidence } from './deploy-evidence.js';
import { runSequence, type PhaseRun } from './run-phase.js';

/** Checks of the state are never taken from an earlier run: the state may have changed since. */
const ALWAYS_RUN: ReadonlySet<PhaseId> = new Set(['migration-verified', 'health', 'verify']);

/**
 * `tierctl deploy`: the guide's deployment steps and checklist, in order: preflight,
 * verified backup, stop hook, migration, migration verified, seed, test users, start hook,
 * health and the eight checks. Each phase's outcome goes to the journal before the next
 * starts (`--resume` continues from it). A failure after the migration rolls it back
 * (unless told not to); an interruption stops cleanly (every step is all-or-nothing).
 * Always ends with an evidence bundle (JSON + JUnit) and the state it left behind.
 */
export async function deploy(options: DeployOptions, deps: DeployDeps): Promise<Result<DeployReport>> {
  const database = options.database.redacted;
  const existing = await readJournal(options.journalPath);
  if (!existing.ok) return existing;
  const resumed = journalForRun(existing.value, { resume: options.resume, database, path: options.journalPath });
  if (!resumed.ok) return resumed;
  const journal: DeployJournal = resumed.value ?? newJournal(database);
  // A journal written before run ids existed: a fresh id (its migrations are known from its migrate phase only).
  const runId = journal.runId ?? randomUUID();
  const earlier = new Map<PhaseId, PhaseRecord>(journal.phases.filter((p) => p.outcome === 'ok' && !ALWAYS_RUN.has(p.id)).map((p) => [p.id, p]));
  journal.state = 'running';
  journal.phases = [];
  await writeJournal(options.journalPath, journal);

  const run: PhaseRun = { journal, journalPath: options.journalPath, reporter: deps.reporter, earlier };
  const started = performance.now();
  let verifySummary: VerifySummary | null = null;
  const phaseDeps: DeployDeps = {
    ...deps,
    verify: async (target) => {
      const r = await deps.verify(target);
      if (r.ok) verifySummary = r.value;
      return r;
    },
  };
  const failed = await runPhases(run, options, phaseDeps, runId);
  const stopped = journal.phases.some((p) => p.id === 'stop' && p.outcome === 'ok');
  const recovery = failed
    ? await recoverAfterFailure(run, options, phaseDeps, { failure: failed, runId, stopped })
    : { outcome: 'succeeded' as const, state: successState(options, stopped) };
  journal.state = recovery.outcome;
  await writeJournal(options.journalPath, journal);

  const report = {
    outcome: recovery.outcome,
    state: recovery.state,
    phases: journal.phases,
    failure: failed,
    totalMs: Math.round(performance.now() - started),
  };
  const after = await migrateStatus({ database: options.database, ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}) }, { reporter: silentReporter });
  const ledgerAfter = after.ok ? after.value.migrations : null;
  const evidence = await writeDeployEvidence(options.evidenceDir, { ...report, database, startedAt: journal.startedAt, verify: verifySummary, ledgerAfter });
  if (!evidence.ok) return evidence;
  return ok({ ...report, evidence: evidence.value });
}

function successState(o: DeployOptions, stopped: boolean) {
  return {
    database: 'tier migration applied and verified (columns and indexes present)',
    service: o.startCmd ? `started by --start-cmd${stopped ? ' after --stop-cmd' : ''}; healthy, every check passed` : 'not stopped or started by tierctl; healthy, every check passed',
  };
}

/** The guide's deployment steps, in order; returns the first failure (null when all passed). */
function runPhases(run: PhaseRun, o: DeployOptions, deps: DeployDeps, runId: string): Promise<Failure | null> {
  const hook = (cmd: string) => () => hookPhase(cmd, o.hookTimeoutMs, deps.signal);
  return runSequence(
    run,
    [
      ['preflight', 'Preflight (pre-deployment checklist)', () => preflightPhase(o, deps)],
      ['backup', 'Backup and models CSV, verified (guide steps 4-5)', () => backupPhase(o, deps)],
      ['stop', 'Stop the backend (deployment step 1)', o.stopCmd ? hook(o.stopCmd) : 'no --stop-cmd: blue-green or rolling deployment, the service keeps running'],
      ['migrate', 'Apply the tier migration (step 4)', () => migratePhase(o, deps, runId)],
      ['migration-verified', 'Verify the migration: columns and indexes (step 5)', () => migrationVerifiedPhase(o)],
      ['seed', 'Seed the tier assignments (step 6)', o.seed ? () => seedPhase(o, deps) : 'no --seed'],
      ['test-users', 'Create the test users', o.testUsers ? () => testUsersPhase(o) : 'no --test-users'],
      ['start', 'Start the backend (step 8)', o.startCmd ? hook(o.startCmd) : 'no --start-cmd'],
      ['health', 'Health check; the API serves the new schema (step 9)', () => healthPhase(o, deps)],
      ['verify', 'The eight post-deployment checks (tests 1-8)', () => verifyPhase(o, deps)],
    ],
    deps.signal,
  );
}
