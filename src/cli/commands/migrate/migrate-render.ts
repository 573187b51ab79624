import type { ChalkInstance } from 'chalk';
import type { SessionInfo } from '../../../db/migrations/session-info.js';
import { LOCK_EFFECT, LOCK_MODES, type LockMode } from '../../../db/migrations/statement-locks.js';
import type { TierSchemaCheck } from '../../../db/migrations/tier-schema-check.js';
import type { PlannedScript } from '../../../runbook/migrate/apply-plan.js';
import { renderTable } from '../../table.js';

/**
 * A script as annotated SQL: before each statement, a comment with the lock it takes and
 * what that lock blocks. The output can be read, reviewed, or fed to psql as it is.
 */
export function renderPlannedScript(script: PlannedScript, title: string, c: ChalkInstance): string {
  const lines = [c.bold(`-- ${title}: ${script.name}`), `-- checksum ${script.checksum}`];
  script.statements.forEach((s, i) => {
    const on = s.relations.length > 0 ? ` on ${s.relations.join(', ')}` : '';
    const lock = s.lock ? `${c.yellow(s.lock)}${on} (${LOCK_EFFECT[s.lock]})` : 'no lock on existing tables';
    lines.push(c.dim(`-- [${i + 1}] ${s.kind}: `) + lock + (s.note ? c.dim(` -- ${s.note}`) : ''));
    lines.push(`${s.sql};`);
  });
  const held = strongestLocks(script);
  if (held.length > 0) lines.push(c.dim(`-- held until COMMIT: ${held.join('; ')}`));
  return `${lines.join('\n')}\n\n`;
}

/** Per relation, the strongest lock the script takes: all of them are held until its transaction commits. */
function strongestLocks(script: PlannedScript): string[] {
  const strongest = new Map<string, LockMode>();
  for (const s of script.statements) {
    for (const rel of s.relations) {
      const had = strongest.get(rel);
      if (s.lock && (!had || LOCK_MODES.indexOf(s.lock) > LOCK_MODES.indexOf(had))) strongest.set(rel, s.lock);
    }
  }
  return [...strongest].map(([rel, lock]) => `${lock} on ${rel}`);
}

/** Sessions (lock holders, blockers) as a table. */
export function renderSessions(sessions: readonly SessionInfo[]): string {
  return renderTable(
    ['pid', 'application', 'user', 'state', 'age (s)', 'lock', 'query'],
    sessions.map((s) => [s.pid, s.applicationName, s.user, s.state, s.ageSeconds, `${s.granted ? 'holds' : 'waits'} ${s.lock}`, s.query.slice(0, 60)]),
  );
}

/** The guide's step 5 (or rollback step 6) as the catalog shows it. */
export function renderTierSchemaCheck(v: TierSchemaCheck, c: ChalkInstance): string {
  if (v.expected === 'absent') {
    return v.ok
      ? `${c.green('✔')} models has none of the tier columns and indexes any more (guide rollback step 6)\n`
      : `${c.red('✖')} still present: ${v.wrong.join(', ')}\n`;
  }
  const head = v.ok ? `${c.green('✔')} models has the guide's tier columns and indexes (step 5):\n` : `${c.red('✖')} missing: ${v.wrong.join(', ')}\n`;
  return (
    head +
    renderTable(['column', 'type', 'nullable', 'default'], v.columns.map((col) => [col.column, col.type, col.nullable ? 'null' : 'not null', col.default])) +
    renderTable(['index', 'definition'], v.indexes.map((i) => [i.name, i.definition]))
  );
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
