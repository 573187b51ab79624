import type { PhaseRecord } from '../deploy/deploy-journal.js';
import { formatMs } from './findings.js';
import type { StatementProfile } from './statement-profile.js';

/**
 * The report's two charts as inline SVG (no script, no external asset): the phase timeline
 * (each phase where and how long it ran; deploy's and the rollback's own phases beneath)
 * and, per profile, each statement's run time and how long its locks are held.
 */
export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const WIDTH = 960;
const LABEL = 330;
const ROW = 22;
const PLOT = WIDTH - LABEL - 170;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface TimelineRow {
  readonly label: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly outcome: PhaseRecord['outcome'];
  readonly depth: number;
}

/** Phases (and their sub-phases) as rows positioned from the first phase's start. */
export function timelineRows(phases: readonly PhaseRecord[], children: Readonly<Record<string, readonly PhaseRecord[]>>): TimelineRow[] {
  const t0 = Math.min(...phases.map((p) => Date.parse(p.startedAt)));
  const rows: TimelineRow[] = [];
  for (const p of phases) {
    rows.push({ label: p.title, startMs: Date.parse(p.startedAt) - t0, durationMs: p.durationMs, outcome: p.outcome, depth: 0 });
    for (const c of children[p.id] ?? []) {
      if (c.outcome === 'skipped') continue;
      rows.push({ label: c.title, startMs: Date.parse(c.startedAt) - t0, durationMs: c.durationMs, outcome: c.outcome, depth: 1 });
    }
  }
  return rows;
}

const COLOURS = { ok: '#2f855a', failed: '#c53030', interrupted: '#b7791f', skipped: '#a0aec0' } as const;

export function timelineSvg(rows: readonly TimelineRow[]): string {
  if (rows.length === 0) return '<p>No phase ran.</p>';
  const end = Math.max(1, ...rows.map((r) => r.startMs + r.durationMs));
  const x = (ms: number) => LABEL + (ms / end) * PLOT;
  const height = rows.length * ROW + 30;
  const bars = rows.map((r, i) => {
    const y = 10 + i * ROW;
    const w = Math.max(2, x(r.startMs + r.durationMs) - x(r.startMs));
    return `<g class="phase phase-${esc(r.outcome)}"><text x="${8 + r.depth * 16}" y="${y + 14}" class="label${r.depth ? ' sub' : ''}">${esc(clip(r.label, 46 - r.depth * 3))}</text>` +
      `<rect x="${x(r.startMs).toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${COLOURS[r.outcome]}" opacity="${r.depth ? 0.7 : 1}"><title>${esc(`${r.label}: ${r.outcome}, ${formatMs(r.durationMs)}`)}</title></rect>` +
      `<text x="${(x(r.startMs) + w + 4).toFixed(1)}" y="${y + 14}" class="value">${esc(formatMs(r.durationMs))}</text></g>`;
  });
  return `<svg role="img" aria-label="Phase timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%">${bars.join('')}` +
    `<line x1="${LABEL}" y1="${height - 18}" x2="${LABEL + PLOT}" y2="${height - 18}" stroke="#718096"/><text x="${LABEL}" y="${height - 4}" class="value">0</text>` +
    `<text x="${LABEL + PLOT}" y="${height - 4}" class="value" text-anchor="end">${esc(formatMs(end))}</text></svg>`;
}

const LOCK_COLOURS: Record<string, string> = { 'ACCESS EXCLUSIVE': '#c53030', EXCLUSIVE: '#dd6b20', 'SHARE ROW EXCLUSIVE': '#d69e2e', SHARE: '#b7791f', 'SHARE UPDATE EXCLUSIVE': '#805ad5' };
const strongest = (modes: readonly string[]) => ['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE', 'ROW SHARE', 'ACCESS SHARE'].find((m) => modes.includes(m));

/** Per statement: a thin bar for its own run time, a wide one for how long its locks stay held (to its migration's COMMIT). */
export function lockChartSvg(p: StatementProfile): string {
  if (p.statements.length === 0) return '<p>No statement to run.</p>';
  const end = Math.max(0.001, ...p.statements.map((s) => s.startMs + s.holdMs));
  const x = (ms: number) => LABEL + (ms / end) * PLOT;
  const height = p.statements.length * ROW + 30;
  const bars = p.statements.map((s, i) => {
    const y = 10 + i * ROW;
    const mode = strongest(s.locks.map((l) => l.mode));
    const hold = mode ? `<rect class="hold" x="${x(s.startMs).toFixed(1)}" y="${y + 3}" width="${Math.max(2, x(s.startMs + s.holdMs) - x(s.startMs)).toFixed(1)}" height="${ROW - 8}" fill="${LOCK_COLOURS[mode] ?? '#a0aec0'}" opacity="0.45"><title>${esc(`${s.locks.map((l) => `${l.mode} on ${l.relation}`).join(', ')}: held ${formatMs(s.holdMs)}`)}</title></rect>` : '';
    const run = `<rect class="run" x="${x(s.startMs).toFixed(1)}" y="${y + 8}" width="${Math.max(1.5, x(s.startMs + s.durationMs) - x(s.startMs)).toFixed(1)}" height="${ROW - 18}" fill="#2d3748"><title>${esc(`runs ${formatMs(s.durationMs)}`)}</title></rect>`;
    const label = `${s.migration.replace(/^\d+_/, '').slice(0, 22)} #${s.index} ${s.kind}`;
    return `<g class="statement"><text x="8" y="${y + 14}" class="label">${esc(clip(label, 46))}</text>${hold}${run}<text x="${(x(s.startMs + Math.max(s.holdMs, s.durationMs)) + 4).toFixed(1)}" y="${y + 14}" class="value">${esc(mode ? `${mode} ${formatMs(s.holdMs)}` : formatMs(s.durationMs))}</text></g>`;
  });
  return `<svg role="img" aria-label="Lock time per statement (${esc(p.direction)})" viewBox="0 0 ${WIDTH} ${height}" width="100%">${bars.join('')}</svg>`;
}
