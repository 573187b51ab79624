import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { plainTarget } from '../../shared/database-target.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { redactUrl } from '../../shared/redact-url.js';
import type { Reporter } from '../../shared/reporter.js';
import { runSequence, unrecordedRun, type PhaseStep } from '../deploy/run-phase.js';
import { analysisBody, copyBody, sandboxBody, sourceBody, startingStateBody } from './copy-phases.js';
import { newDrillContext, type Backend, type DrillContext, type RehearseDeps, type RehearseOptions } from './drill-context.js';
import { backupBody, checksAgainBody, deployBody, migrationProfileBody, reapplyBody, rollbackDrillBody, wouldBeLossBody } from './drill-phases.js';
import { assembleReport, type RehearseReport } from './rehearse-report.js';
import { createSandbox, dropSandbox, dropStaleSandboxes, prepareBaseline, type SandboxDatabase } from './sandbox-database.js';
import type { SourceSpec } from './copy-source.js';

export type { Backend, RehearseDeps, RehearseOptions } from './drill-context.js';
export type { RehearseReport } from './rehearse-report.js';

/**
 * `tierctl rehearse`: the whole runbook on a throwaway, marked database, and everything it
 * created dropped afterwards, on success, failure or interruption alike.
 *
 * - Without a source: a sandbox at the baseline with the sandbox catalog; deploy with seed
 *   and test users (the eight checks included), the rollback drill, re-apply, checks again.
 * - `from` a backup or a live database: a copy of production (restored with
 *   `--no-owner --no-acl`), its starting state read, what the deployment changes there
 *   analysed, each migration statement timed; then the drill that fits: deploy first on a
 *   copy at the baseline, the rollback first on a copy already deployed.
 */
export async function rehearse(o: RehearseOptions, deps: RehearseDeps): Promise<Result<RehearseReport>> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const stale = await dropStaleSandboxes(o.adminUrl, deps.owner.host, deps.isAlive);
  if (!stale.ok) return stale;
  for (const m of stale.value.dropped) deps.reporter.info(`dropped ${m.database}, left by a rehearsal that was killed (pid ${m.pid}, started ${m.startedAt})`);
  for (const d of stale.value.leftAlone) deps.reporter.info(`left ${d.name} alone: ${d.reason}`);
  const workDir = await mkdtemp(join(tmpdir(), `tierctl-rehearse-${deps.owner.pid}-`));
  const ctx = newDrillContext(o, deps, workDir);
  const run = unrecordedRun(redactUrl(o.adminUrl), deps.reporter);
  let failed: Failure | null;
  try {
    failed = await runSequence(run, o.from ? copySteps(ctx, o.from) : catalogSteps(ctx), deps.signal);
    if (!failed && o.from) failed = await runSequence(run, ctx.state!.kind === 'deployed' ? rollbackFirstDrill(ctx) : deployFirstDrill(ctx), deps.signal);
  } catch (e) {
    failed = failure('internal_error', `Internal error during the rehearsal: ${(e as Error).message}`, ExitCode.failed);
  }
  const leftovers = await cleanUp(o.adminUrl, ctx.sandbox, ctx.backend, workDir, deps.reporter);
  return ok(assembleReport(ctx, { phases: run.journal.phases, failed, leftovers, startedAt, totalMs: Math.round(performance.now() - started), sandboxServer: redactUrl(o.adminUrl) }));
}

const backendStep = (ctx: DrillContext): PhaseStep => ['backend', 'Start the backend in this process', async () => {
  const started = await ctx.deps.startBackend(ctx.sandbox!.url);
  if (!started.ok) return started;
  ctx.backend = started.value;
  return ok({ detail: `listening on ${started.value.url}`, data: { url: started.value.url } });
}];

function catalogSteps(ctx: DrillContext): PhaseStep[] {
  return [
    ['sandbox', 'Sandbox database at the baseline, with the sandbox catalog', async () => {
      const created = await createSandbox(ctx.o.adminUrl, ctx.deps.owner);
      if (!created.ok) return created;
      ctx.sandbox = created.value;
      const prepared = await prepareBaseline(created.value, ctx.workDir, ctx.o.migrationsDir);
      if (!prepared.ok) return prepared;
      return ok({ detail: `${created.value.name}: ${prepared.value.baseline.join(', ')} applied; ${prepared.value.models.length} models`, data: { database: created.value.name } });
    }],
    backendStep(ctx),
    ['deploy', 'tierctl deploy --seed --test-users (every step and the eight checks)', () => deployBody(ctx, 'deploy')],
    // The assignments being dropped were seeded by this rehearsal, after the backup.
    ['rollback-drill', 'Rollback drill: tierctl rollback and its verification', () => rollbackDrillBody(ctx, true)],
    ['reapply', 'Re-apply the migration and the tier assignments; the API serves them', () => reapplyBody(ctx)],
    ['checks-again', 'The eight checks again', () => checksAgainBody(ctx)],
  ];
}

function copySteps(ctx: DrillContext, from: SourceSpec): PhaseStep[] {
  return [
    ['source', from.kind === 'backup' ? 'Source: verify the backup (checksums, pg_restore --list)' : 'Source: inspect the database (read only)', () => sourceBody(ctx, from)],
    ['sandbox', 'Sandbox server has what the copy needs; create the marked sandbox', () => sandboxBody(ctx)],
    ['copy', from.kind === 'backup' ? 'Restore the backup into the sandbox' : 'Copy the database into the sandbox (pg_dump | pg_restore)', (step) => copyBody(ctx, step)],
    ['starting-state', 'Starting state of the copy (ledger, tier schema)', () => startingStateBody(ctx)],
    ['analysis', "What the deployment changes on production's data (assignments, subscribers)", () => analysisBody(ctx)],
  ];
}

/** A copy at the baseline: deploy, what a rollback would lose, the rollback drill, re-apply, checks again. */
function deployFirstDrill(ctx: DrillContext): PhaseStep[] {
  return [
    ['migration-profile', "Each migration statement on the copy's table sizes (rolled back)", () => migrationProfileBody(ctx)],
    backendStep(ctx),
    ['deploy', 'tierctl deploy --seed --test-users (every step and the eight checks)', () => deployBody(ctx, 'deploy')],
    ['would-be-loss', "What a rollback would lose: the data-loss guard's verdict, down.sql timed", () => wouldBeLossBody(ctx, 'after-deploy')],
    ['rollback-drill', 'Rollback drill: tierctl rollback and its verification', () => rollbackDrillBody(ctx, true)],
    ['reapply', 'Re-apply the migration and the tier assignments; the API serves them', () => reapplyBody(ctx)],
    ['checks-again', 'The eight checks again', () => checksAgainBody(ctx)],
  ];
}

/** A copy already deployed: back it up, what a rollback would lose, the rollback drill (guard on), then the deployment again. */
function rollbackFirstDrill(ctx: DrillContext): PhaseStep[] {
  return [
    backendStep(ctx),
    ['backup', 'Back up the copy before rolling back (guide step 4)', () => backupBody(ctx)],
    ['would-be-loss', "What a rollback would lose: the data-loss guard's verdict, down.sql timed", () => wouldBeLossBody(ctx, 'now')],
    ['rollback-drill', 'Rollback drill: tierctl rollback --backup (the guard judges the backup)', () => rollbackDrillBody(ctx, false)],
    ['migration-profile', "Each migration statement on the copy's table sizes (rolled back)", () => migrationProfileBody(ctx)],
    ['deploy', 'Re-deploy: tierctl deploy --seed --test-users (every step and the eight checks)', () => deployBody(ctx, 'deploy')],
  ];
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
