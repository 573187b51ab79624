import type { PhaseRecord } from '../../runbook/deploy/deploy-journal.js';
import type { colors } from '../output.js';
import { renderTable } from '../table.js';

const MARK = { ok: 'ok', failed: 'FAILED', skipped: 'skipped', interrupted: 'INTERRUPTED' } as const;

/** Each phase of a deploy or rollback: outcome, time and what it did (or why it failed or was skipped). */
export function phaseTable(phases: readonly PhaseRecord[], c: ReturnType<typeof colors>): string {
  return renderTable(
    ['phase', 'result', 'time', 'detail'],
    phases.map((p) => [
      p.title,
      p.outcome === 'ok' ? c.green(p.fromEarlierRun ? 'ok (earlier run)' : 'ok') : p.outcome === 'skipped' ? c.dim(MARK.skipped) : c.red(MARK[p.outcome]),
      p.outcome === 'skipped' || p.fromEarlierRun ? '' : `${(p.durationMs / 1000).toFixed(2)} s`,
      p.detail.split('\n')[0]!.slice(0, 160),
    ]),
  );
}
