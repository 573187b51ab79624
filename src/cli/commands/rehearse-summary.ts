import type { RehearseReport } from '../../runbook/rehearse/rehearse.js';
import type { colors } from '../output.js';
import { renderTable } from '../table.js';

type Colors = ReturnType<typeof colors>;

/** The rehearsal as an operator reads it on stdout: phases, findings with the way out, verdict, what is left. */
export function rehearsalSummary(r: RehearseReport, c: Colors): string {
  const phases = renderTable(
    ['phase', 'result', 'time'],
    r.phases.map((p) => [p.title, p.outcome === 'ok' ? c.green('ok') : p.outcome === 'skipped' ? c.dim('skipped') : c.red(p.outcome), `${(p.durationMs / 1000).toFixed(2)} s`]),
  );
  const mark = { blocker: c.red('✖ blocker'), warning: c.yellow('! warning'), info: c.dim('i info   ') } as const;
  const findings = r.findings.length === 0
    ? ''
    : `Findings\n${r.findings.map((f) => `  ${mark[f.severity]} ${f.title}\n${indent(f.detail)}${f.wayOut ? `\n${indent(`${c.bold('way out:')} ${f.wayOut}`)}` : ''}`).join('\n')}\n`;
  const verdict = r.outcome === 'passed' ? c.green('Rehearsal passed') : c.red(`Rehearsal ${r.outcome}`);
  const left = r.leftovers.length > 0 ? c.red(`Left behind: ${r.leftovers.join('; ')}\n`) : `Nothing left behind${r.sandbox ? ` (${r.sandbox} dropped)` : ''}\n`;
  return `${phases}${findings}${verdict} in ${(r.totalMs / 1000).toFixed(1)} s\n${left}`;
}

const indent = (text: string) => text.split('\n').map((l) => `              ${l}`).join('\n');
