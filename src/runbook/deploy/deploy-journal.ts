import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';

export const JOURNAL_FORMAT = 'tierctl-deploy-journal/1';

export type PhaseId =
  | 'preflight' | 'backup' | 'stop' | 'migrate' | 'migration-verified' | 'seed' | 'test-users' | 'start' | 'health' | 'verify' | 'auto-rollback' | 'restart'
  | 'validate' | 'migrate-rollback' | 'restore' | 'rollback-verified'
  | 'sandbox' | 'backend' | 'deploy' | 'rollback-drill' | 'reapply' | 'checks-again'
  | 'source' | 'copy' | 'starting-state' | 'analysis' | 'migration-profile' | 'would-be-loss';
export type PhaseOutcome = 'ok' | 'failed' | 'skipped' | 'interrupted';

/** One phase's outcome, as recorded in the journal and the evidence bundle. */
export interface PhaseRecord {
  readonly id: PhaseId;
  readonly title: string;
  readonly outcome: PhaseOutcome;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly detail: string;
  /** What later phases (or a resumed run) need from it, e.g. the backup manifest path. */
  readonly data?: unknown;
  readonly failure?: Failure;
  /** True when a resumed run took this record from the earlier run instead of running the phase. */
  readonly fromEarlierRun?: boolean;
}

/** `failed_unchanged`: it failed having changed nothing and left the service as it found it: nothing to resume. */
export type JournalState = 'running' | 'succeeded' | 'failed' | 'failed_unchanged' | 'rolled_back' | 'interrupted';

/** The deploy journal: which phases ran and how, so `deploy --resume` continues where a run stopped. */
export interface DeployJournal {
  readonly format: typeof JOURNAL_FORMAT;
  /** The database URL, password redacted: a resume must target the same database. */
  readonly database: string;
  /**
   * This deployment's id, kept across `--resume`: recorded with every migration it applies
   * (`_tierctl_migrations.run_id`), so its automatic rollback undoes exactly those.
   */
  readonly runId?: string;
  readonly startedAt: string;
  state: JournalState;
  updatedAt: string;
  phases: PhaseRecord[];
}

/** A journal for a new run against `database` (redacted URL). */
export function newJournal(database: string): DeployJournal {
  const now = new Date().toISOString();
  return { format: JOURNAL_FORMAT, database, runId: randomUUID(), startedAt: now, state: 'running', updatedAt: now, phases: [] };
}

export async function readJournal(path: string): Promise<Result<DeployJournal | null>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok(null);
    return err(failure('journal_unreadable', `Cannot read the deploy journal ${path}: ${(e as Error).message}`, ExitCode.usage));
  }
  try {
    const journal = JSON.parse(text) as DeployJournal;
    if (journal.format !== JOURNAL_FORMAT || !Array.isArray(journal.phases)) throw new Error(`not a ${JOURNAL_FORMAT} file`);
    return ok(journal);
  } catch (e) {
    return err(failure('journal_unreadable', `The deploy journal ${path} is damaged: ${(e as Error).message}`, ExitCode.usage, { hint: 'Inspect it, then move it away to start a new deployment.' }));
  }
}

/** Writes the journal atomically (temporary file, then rename): a crash never leaves half a journal. */
export async function writeJournal(path: string, journal: DeployJournal): Promise<void> {
  journal.updatedAt = new Date().toISOString();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * Decides what an existing journal means for this run: a new deployment needs no unfinished
 * journal (it would hide the earlier run's state); `--resume` needs an unfinished one for
 * the same database.
 */
export function journalForRun(existing: DeployJournal | null, options: { resume: boolean; database: string; path: string }): Result<DeployJournal | null> {
  const unfinished = existing && (existing.state === 'running' || existing.state === 'interrupted' || existing.state === 'failed');
  if (!options.resume) {
    if (unfinished) {
      return err(failure('unfinished_deploy', `${options.path} records an unfinished deployment of ${existing.database} (${existing.state}, started ${existing.startedAt})`, ExitCode.refused, {
        hint: 'Continue it with `tierctl deploy --resume`, or roll it back with `tierctl rollback`; move the journal away only once you know the state.',
      }));
    }
    return ok(null);
  }
  if (!existing) return err(failure('nothing_to_resume', `No deploy journal at ${options.path}: nothing to resume`, ExitCode.usage));
  if (!unfinished) {
    const why = existing.state === 'failed_unchanged' ? 'failed without changing anything' : 'already ended';
    return err(failure('nothing_to_resume', `The deployment in ${options.path} ${why} (${existing.state}): nothing to resume`, ExitCode.usage, { hint: 'Run `tierctl deploy` again (without --resume).' }));
  }
  if (existing.database !== options.database) {
    return err(failure('journal_other_database', `${options.path} is about ${existing.database}, not ${options.database}`, ExitCode.refused));
  }
  return ok(existing);
}
