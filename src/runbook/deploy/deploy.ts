import { randomUUID } from 'node:crypto';
import { ExitCode } from '../../shared/exit-codes.js';
import { ok, type Failure, type Result } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { migrateStatus } from '../migrate/migrate-status.js';
import { journalForRun, newJournal, readJournal, writeJournal, type DeployJournal, type PhaseId, type PhaseRecord } from './deploy-journal.js';
import { backupPhase, hookPhase, migratePhase, migrationVerifiedPhase, preflightPhase, healthPhase, seedPhase, testUsersPhase, verifyPhase } from './deploy-phases.js';
import { recoverAfterFailure } from './deploy-recovery.js';
import type { DeployDeps, DeployOptions, DeployReport, VerifySummary } from './deploy-types.js';
import { writeDeployEvidence } from './deploy-evidence.js';
import { validateDeploy } from './deploy-validation.js';
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
  const valid = await validateDeploy(options);
  if (!valid.ok) return valid;
  const journal: DeployJournal = resumed.value ?? newJournal(database);
  // A journal written before run ids existed: a fresh id (its migrations are known from its migrate phase only).
  const runId = journal.runId ?? randomUUID();
  const earlier = new Map<PhaseId, PhaseRecord>(journal.phases.filter((p) => p.outcome === 'ok' && !ALWAYS_RUN.has(p.id)).map((p) => [p.id, p]));
  journal.state = 'running';
  journal.phases = [];

  const started = performance.now();
  // The preflight changes nothing: a new deployment writes its journal only once it passed,
  // so a run stopped by it (a blocker, an unreachable database) leaves nothing to resume or block.
  const checking: PhaseRun = { journal, journalPath: resumed.value ? options.journalPath : null, reporter: deps.reporter, earlier };
  const preflight = await runSequence(checking, [['preflight', PREFLIGHT_TITLE, () => preflightPhase(options, deps)]], deps.signal);
  if (preflight && !resumed.value) {
    return finish(options, { outcome: preflight.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed', state: UNCHANGED, phases: journal.phases, failure: preflight, totalMs: Math.round(performance.now() - started) }, journal.startedAt, null);
  }
  await writeJournal(options.journalPath, journal);

  const run: PhaseRun = { ...checking, journalPath: options.journalPath };
  let verifySummary: VerifySummary | null = null;
  const phaseDeps: DeployDeps = {
    ...deps,
    verify: async (target) => {
      const r = await deps.verify(target);
      if (r.ok) verifySummary = r.value;
      return r;
    },
  };
  const failed = preflight ?? (await runPhases(run, options, phaseDeps, runId));
  const stopped = journal.phases.some((p) => p.id === 'stop' && p.outcome === 'ok');
  const recovery = failed
    ? await recoverAfterFailure(run, options, phaseDeps, { failure: failed, runId, stopped })
    : { outcome: 'succeeded' as const, state: successState(options, stopped) };
  // A failure that changed nothing and left the service as it was leaves nothing to resume.
  journal.state = recovery.outcome === 'failed' && recovery.nothingChanged ? 'failed_unchanged' : recovery.outcome;
  await writeJournal(options.journalPath, journal);
  return finish(options, { outcome: recovery.outcome, state: recovery.state, phases: journal.phases, failure: failed, totalMs: Math.round(performance.now() - started) }, journal.startedAt, verifySummary);
}

const PREFLIGHT_TITLE = 'Preflight (pre-deployment checklist)';
const UNCHANGED = { database: 'unchanged: the preflight stopped the deployment before anything was done (no journal written)', service: 'not stopped or started by tierctl' };

/** The report, with the ledger as the deployment left it and the evidence bundle. */
async function finish(options: DeployOptions, report: Omit<DeployReport, 'evidence'>, startedAt: string, verify: VerifySummary | null): Promise<Result<DeployReport>> {
  const after = await migrateStatus({ database: options.database, ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}) }, { reporter: silentReporter });
  const ledgerAfter = after.ok ? after.value.migrations : null;
  const evidence = await writeDeployEvidence(options.evidenceDir, { ...report, database: options.database.redacted, startedAt, verify, ledgerAfter });
  if (!evidence.ok) return evidence;
  return ok({ ...report, evidence: evidence.value });
}

function successState(o: DeployOptions, stopped: boolean) {
  return {
    database: 'tier migration applied and verified (columns and indexes present)',
    service: o.startCmd ? `started by --start-cmd${stopped ? ' after --stop-cmd' : ''}; healthy, every check passed` : 'not stopped or started by tierctl; healthy, every check passed',
  };
}

/** The guide's deployment steps after the preflight, in order; returns the first failure (null when all passed). */
function runPhases(run: PhaseRun, o: DeployOptions, deps: DeployDeps, runId: string): Promise<Failure | null> {
  const hook = (cmd: string) => () => hookPhase(cmd, o.hookTimeoutMs, deps.signal);
  return runSequence(
    run,
    [
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
