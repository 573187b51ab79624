import { statementLocks, type StatementLock } from '../../db/migrations/statement-locks.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { failure, type Failure } from '../../shared/failure.js';
import { applyBlockers, migrationProblems, refusal } from './migration-problems.js';
import { namesIn, type MigrationSet, type MigrationState } from './migration-state.js';

/** A migration about to run (or, for rollback, its down.sql), statement by statement with the lock each takes. */
export interface PlannedScript {
  readonly name: string;
  readonly checksum: string;
  readonly statements: readonly StatementLock[];
}

export const planScript = (name: string, checksum: string, sql: string): PlannedScript => ({ name, checksum, statements: statementLocks(sql) });

/** The migrations `apply` would run now, in order. */
export function pendingMigrations(set: MigrationSet, state: MigrationState) {
  const pending = new Set(namesIn(state, 'pending', 'rolled_back'));
  return set.files.filter((f) => pending.has(f.name));
}

/**
 * Why `apply` must not run on this state, or null. Every error-level problem refuses
 * (P3005 not managed, P3009 a failed migration, a partially applied or unrecorded tier
 * schema, drift of the tier schema), and so do an applied migration.sql edited since
 * (checksum) and migrations applied in the database but missing here when there is
 * something to apply (the histories diverge).
 */
export function applyRefusal(set: MigrationSet, state: MigrationState): Failure | null {
  const problems = migrationProblems(state, set.hasTierMigration);
  const pending = pendingMigrations(set, state);
  const blocking = applyBlockers(problems, pending.length);
  if (blocking.length === 0) return null;
  const first = refusal(blocking[0]!);
  if (blocking.length === 1) return first;
  const lines = blocking.map((p) => `${p.prisma ? `${p.prisma}: ` : ''}${p.message}`);
  return failure(first.code, `Refusing to apply migrations:\n  - ${lines.join('\n  - ')}`, ExitCode.refused, { hint: blocking.map((p) => p.hint).join('\n      '), problems: lines });
}
