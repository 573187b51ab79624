import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { plainTarget } from '../../shared/database-target.js';
import { redactUrl } from '../../shared/redact-url.js';
import { silentReporter, type Reporter } from '../../shared/reporter.js';
import type { PhaseRecord } from '../deploy/deploy-journal.js';
import { deploy } from '../deploy/deploy.js';
import type { DeployReport, VerifyRunner } from '../deploy/deploy-types.js';
import { healthPhase, migratePhase, seedPhase, verifyPhase } from '../deploy/deploy-phases.js';
import { runSequence, unrecordedRun } from '../deploy/run-phase.js';
import { rollbackProcedure, type RollbackReport } from '../rollback/rollback-procedure.js';
import { createSandbox, dropSandbox, dropStaleSandboxes, prepareBaseline, type SandboxDatabase } from './sandbox-database.js';
import type { SandboxOwner } from './sandbox-marker.js';

/** The backend under rehearsal, started in this process by the caller (the CLI edge). */
export interface Backend {
  readonly url: string;
  close(): Promise<void>;
}

export interface RehearseOptions {
  readonly adminUrl: string;
  readonly fixturesDir: string;
  readonly testPassword: string;
  /** Keep the deploy evidence bundle (JSON + JUnit) here; by default it goes with the other files. */
  readonly evidenceDir?: string;
}

export interface RehearseDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly startBackend: (databaseUrl: string) => Promise<Result<Backend>>;
  readonly verify: VerifyRunner;
  /** This process, as the sandbox marker names it. */
  readonly owner: SandboxOwner;
  readonly isAlive: (pid: number) => boolean;
}

export interface RehearseReport {
  readonly outcome: 'passed' | 'failed' | 'interrupted';
  readonly sandbox: string | null;
  readonly phases: readonly PhaseRecord[];
  readonly deploy: DeployReport | null;
  readonly rollback: RollbackReport | null;
  readonly failure: Failure | null;
  /** What could not be cleaned up (empty: nothing of the rehearsal remains). */
  readonly leftovers: readonly string[];
  readonly totalMs: number;
}

/**
 * `tierctl rehearse`: the whole runbook on a throwaway database. Creates a sandbox at the
 * baseline with the sandbox catalog, starts the backend on it, runs `deploy` with seed and
 * test users (the eight checks included), then a rollback drill (rollback, its
 * verification, re-apply and seed, the eight checks again), and drops everything it
 * created, on success, failure or interruption alike.
 */
export async function rehearse(o: RehearseOptions, deps: RehearseDeps): Promise<Result<RehearseReport>> {
  const started = performance.now();
  const stale = await dropStaleSandboxes(o.adminUrl, deps.owner.host, deps.isAlive);
  if (!stale.ok) return stale;
  for (const m of stale.value.dropped) deps.reporter.info(`dropped ${m.database}, left by a rehearsal that was killed (pid ${m.pid}, started ${m.startedAt})`);
  for (const d of stale.value.leftAlone) deps.reporter.info(`left ${d.name} alone: ${d.reason}`);
  const workDir = await mkdtemp(join(tmpdir(), 'tierctl-rehearse-'));
  const run = unrecordedRun(redactUrl(o.adminUrl), deps.reporter);
  let sandbox: SandboxDatabase | null = null;
  let backend: Backend | null = null;
  let deployReport: DeployReport | null = null;
  let rollbackReport: RollbackReport | null = null;
  const signal = deps.signal ? { signal: deps.signal } : {};
  const phaseOptions = () => ({
    database: plainTarget(sandbox!.url), apiUrl: backend!.url, backupDir: workDir, evidenceDir: o.evidenceDir ?? workDir, journalPath: join(workDir, 'deploy-journal.json'),
    fixturesDir: o.fixturesDir, hookTimeoutMs: 60_000, seed: true, testUsers: true, testPassword: o.testPassword, autoRollback: true, resume: false, waitMs: 10_000, httpTimeoutMs: 5000,
  });
  const phaseDeps = () => ({ reporter: silentReporter, verify: deps.verify, ...signal });
  const failed = await runSequence(run, [
    ['sandbox', 'Sandbox database at the baseline, with the sandbox catalog', async () => {
      const created = await createSandbox(o.adminUrl, deps.owner);
      if (!created.ok) return created;
      sandbox = created.value;
      const prepared = await prepareBaseline(sandbox, workDir);
      if (!prepared.ok) return prepared;
      return ok({ detail: `${sandbox.name}: ${prepared.value.baseline.join(', ')} applied; ${prepared.value.models.length} models`, data: { database: sandbox.name } });
    }],
    ['backend', 'Start the backend in this process', async () => {
      const started = await deps.startBackend(sandbox!.url);
      if (!started.ok) return started;
      backend = started.value;
      return ok({ detail: `listening on ${backend.url}`, data: { url: backend.url } });
    }],
    ['deploy', 'tierctl deploy --seed --test-users (every step and the eight checks)', async () => {
      const r = await deploy(phaseOptions(), { ...phaseDeps(), reporter: deps.reporter });
      if (!r.ok) return r;
      deployReport = r.value;
      if (r.value.failure) return { ok: false, failure: r.value.failure };
      return ok({ detail: `${r.value.phases.filter((p) => p.outcome === 'ok').length} phases ok in ${(r.value.totalMs / 1000).toFixed(2)} s`, data: { evidence: r.value.evidence } });
    }],
    ['rollback-drill', 'Rollback drill: tierctl rollback and its verification', async () => {
      const manifest = (deployReport!.phases.find((p) => p.id === 'backup')?.data as { manifestPath: string }).manifestPath;
      // The assignments being dropped were seeded by this rehearsal, after the backup.
      const r = await rollbackProcedure({ database: plainTarget(sandbox!.url), apiUrl: backend!.url, backupManifest: manifest, acceptLoss: true, hookTimeoutMs: 60_000, httpTimeoutMs: 5000, waitMs: 10_000, reason: 'tierctl rehearse: rollback drill' }, { reporter: deps.reporter, ...signal });
      if (!r.ok) return r;
      rollbackReport = r.value;
      if (r.value.failure) return { ok: false, failure: r.value.failure };
      return ok({ detail: r.value.verification.map((v) => `${v.title}: ${v.result}`).join('; '), data: { verification: r.value.verification } });
    }],
    ['reapply', 'Re-apply the migration and the tier assignments; the API serves them', async () => {
      const applied = await migratePhase(phaseOptions(), phaseDeps());
      if (!applied.ok) return applied;
      const seeded = await seedPhase(phaseOptions(), phaseDeps());
      if (!seeded.ok) return seeded;
      const served = await healthPhase(phaseOptions(), phaseDeps());
      if (!served.ok) return served;
      return ok({ detail: `${applied.value.detail}; ${seeded.value.detail}; ${served.value.detail}`, data: null });
    }],
    ['checks-again', 'The eight checks again', () => verifyPhase(phaseOptions(), phaseDeps())],
  ], deps.signal);
  const leftovers = await cleanUp(o.adminUrl, sandbox, backend, workDir, deps.reporter);
  const outcome = !failed ? 'passed' : failed.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed';
  return ok({ outcome, sandbox: (sandbox as SandboxDatabase | null)?.name ?? null, phases: run.journal.phases, deploy: deployReport, rollback: rollbackReport, failure: failed, leftovers, totalMs: Math.round(performance.now() - started) });
}

/** Stops the backend, drops the sandbox and removes the work files; returns what could not be removed. */
async function cleanUp(adminUrl: string, sandbox: SandboxDatabase | null, backend: Backend | null, workDir: string, reporter: Reporter): Promise<string[]> {
  const leftovers: string[] = [];
  const step = reporter.step('Clean up: stop the backend, drop the sandbox, remove the files');
  if (backend) await backend.close().catch((e: Error) => leftovers.push(`backend: ${e.message}`));
  if (sandbox) {
    const dropped = await dropSandbox(adminUrl, sandbox);
    if (!dropped.ok) leftovers.push(`database ${sandbox.name}: ${dropped.failure.message}`);
    else if (!dropped.value) leftovers.push(`database ${sandbox.name}: not dropped, its sandbox marker is gone or changed`);
  }
  await rm(workDir, { recursive: true, force: true }).catch((e: Error) => leftovers.push(`${workDir}: ${e.message}`));
  if (leftovers.length > 0) step.fail(leftovers.join('; '));
  else step.succeed(sandbox ? `${sandbox.name} dropped` : 'nothing was created');
  return leftovers;
}

export const rehearsalFailed = (r: RehearseReport): Failure | null =>
  r.failure ?? (r.leftovers.length > 0 ? failure('cleanup_failed', `Could not clean up: ${r.leftovers.join('; ')}`, ExitCode.failed) : null);
