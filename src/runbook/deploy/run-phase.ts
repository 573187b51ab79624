import { ExitCode } from '../../shared/exit-codes.js';
import type { Failure, Result } from '../../shared/failure.js';
import type { Reporter, StepHandle } from '../../shared/reporter.js';
import { newJournal, writeJournal, type DeployJournal, type PhaseId, type PhaseRecord } from './deploy-journal.js';

/** What a phase returns when it ran: a one-line detail for the operator and data for later phases. */
export interface PhaseDone<T> {
  readonly detail: string;
  readonly data: T;
  /** The lines the deployment guide shows for this step (guide-output.ts), printed after the phase's line; not journaled. */
  readonly guide?: readonly string[];
}

export interface PhaseRun {
  readonly journal: DeployJournal;
  /** null: the phases are recorded in `journal` only (rollback keeps no journal file). */
  readonly journalPath: string | null;
  readonly reporter: Reporter;
  /** The earlier run's successful phases (`--resume`): they are not run again. */
  readonly earlier: ReadonlyMap<PhaseId, PhaseRecord>;
}

/** A run whose phases are kept in memory only (rollback and rehearse keep no journal file). */
export const unrecordedRun = (database: string, reporter: Reporter): PhaseRun => ({ journal: newJournal(database), journalPath: null, reporter, earlier: new Map() });

export type PhaseResult<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly failure: Failure };

async function record(run: PhaseRun, rec: PhaseRecord): Promise<void> {
  run.journal.phases = [...run.journal.phases.filter((p) => p.id !== rec.id), rec];
  if (run.journalPath) await writeJournal(run.journalPath, run.journal);
}

/** Records a phase that does not apply to this deployment (e.g. no --stop-cmd). */
export async function skipPhase(run: PhaseRun, id: PhaseId, title: string, reason: string): Promise<void> {
  run.reporter.step(title).skip(reason);
  await record(run, { id, title, outcome: 'skipped', startedAt: new Date().toISOString(), durationMs: 0, detail: reason });
}

/**
 * Runs one deploy phase, shows its progress, and writes its outcome to the journal before
 * the next phase starts. A phase the earlier run finished (`--resume`) is not run again:
 * its recorded data is returned.
 */
export async function runPhase<T>(run: PhaseRun, id: PhaseId, title: string, body: (step: StepHandle) => Promise<Result<PhaseDone<T>>>): Promise<PhaseResult<T>> {
  const done = run.earlier.get(id);
  if (done?.outcome === 'ok') {
    run.reporter.step(title).skip('done in the earlier run');
    await record(run, { ...done, fromEarlierRun: true });
    return { ok: true, data: done.data as T };
  }
  const step = run.reporter.step(title);
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const result = await body(step);
  const durationMs = Math.round(performance.now() - start);
  if (result.ok) {
    step.succeed(result.value.detail);
    for (const line of result.value.guide ?? []) run.reporter.info(line);
    await record(run, { id, title, outcome: 'ok', startedAt, durationMs, detail: result.value.detail, data: result.value.data });
    return { ok: true, data: result.value.data };
  }
  const f = result.failure;
  step.fail(f.message.split('\n')[0]);
  const outcome = f.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed';
  await record(run, { id, title, outcome, startedAt, durationMs, detail: f.message, failure: f });
  return { ok: false, failure: f };
}

/** A phase of a sequence: its body (given its progress line, for updates), or why it does not apply to this run (skipped). */
export type PhaseStep = readonly [PhaseId, string, ((step: StepHandle) => Promise<Result<PhaseDone<unknown>>>) | string];

/** Runs phases in order until one fails (or the signal fires); returns that failure, or null. */
export async function runSequence(run: PhaseRun, steps: readonly PhaseStep[], signal?: AbortSignal): Promise<Failure | null> {
  for (const [id, title, body] of steps) {
    if (typeof body === 'string') {
      await skipPhase(run, id, title, body);
      continue;
    }
    if (signal?.aborted) {
      const last = run.journal.phases.at(-1);
      return { code: 'interrupted', message: `Interrupted${last ? ` after ${last.title}` : ''}`, exitCode: ExitCode.interrupted };
    }
    const r = await runPhase(run, id, title, body);
    if (!r.ok) return r.failure;
  }
  return null;
}
