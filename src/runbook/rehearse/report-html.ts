import { TIERS, tierLabel } from '../../tier/index.js';
import type { CheckResult } from '../../verify/check-result.js';
import type { VerifyReport } from '../../verify/run-verify.js';
import type { PhaseRecord } from '../deploy/deploy-journal.js';
import { strongestPerRelation } from './copy-findings.js';
import { formatBytes, formatCount, formatMs, type Finding } from './findings.js';
import type { RehearseReport } from './rehearse-report.js';
import { esc, lockChartSvg, timelineRows, timelineSvg } from './report-charts.js';

/**
 * `tierctl rehearse --report FILE.html`: the rehearsal as one self-contained page to attach
 * to a change request. No script, no external asset: inline CSS and SVG, and the same
 * report as JSON in a `<script type="application/json">` block (data, never run).
 */
const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#1a202c}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.verdict{padding:12px 16px;border-radius:6px;font-weight:600;margin:12px 0}.passed{background:#f0fff4;color:#22543d}.failed,.interrupted{background:#fff5f5;color:#742a2a}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border:1px solid #e2e8f0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f7fafc}
.finding{border-left:4px solid #a0aec0;padding:6px 12px;margin:8px 0;background:#f7fafc}.finding.blocker{border-color:#c53030;background:#fff5f5}.finding.warning{border-color:#d69e2e;background:#fffff0}
.sev{font-size:12px;text-transform:uppercase;font-weight:700;margin-right:6px}.way{margin-top:4px}.num{text-align:right;font-variant-numeric:tabular-nums}
tr.check-failed td{background:#fff5f5}tr.check-failed td:nth-child(3){color:#c53030;font-weight:700}tr.check-pass td:nth-child(3){color:#2f855a}tr.loss-uncovered td:last-child{color:#c53030}pre{white-space:pre-wrap;word-break:break-word;background:#f7fafc;padding:6px;margin:4px 0;font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:#2d3748}svg text.sub{fill:#4a5568}svg text.value{fill:#4a5568;font-size:11px}code{font-size:12px}.muted{color:#718096}`;

const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
const table = (head: readonly string[], rows: readonly string[][], cls: readonly string[] = []) =>
  `<table>${head.some((h) => h !== '') ? `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : ''}<tbody>${rows.map((r, i) => `<tr${cls[i] ? ` class="${cls[i]}"` : ''}>${r.join('')}</tr>`).join('')}</tbody></table>`;
const td = (v: unknown, num = false) => `<td${num ? ' class="num"' : ''}>${esc(v)}</td>`;

function header(r: RehearseReport): string {
  const what = r.mode === 'catalog' ? 'the sandbox catalog' : `a copy of ${r.source ? `${r.source.database} (${r.source.kind === 'backup' ? `backup ${r.source.label}` : r.source.label})` : 'production'}`;
  const facts = [
    ['Rehearsed on', what], ['Sandbox server', r.sandboxServer], ['Sandbox', r.sandbox ?? '-'], ['Started', r.startedAt], ['Total', formatMs(r.totalMs)],
    ...(r.copy ? [['Copy', `${r.copy.tables} tables, ${formatBytes(r.copy.bytes)} in ${formatMs(r.copy.durationMs)}`]] : []),
    ['Left behind', r.leftovers.length ? r.leftovers.join('; ') : 'nothing'],
  ];
  const blockers = r.findings.filter((f) => f.severity === 'blocker').length;
  const verdict = r.outcome === 'passed' ? 'Rehearsal passed' : `Rehearsal ${r.outcome}${r.failure ? `: ${r.failure.message.split('\n')[0]}` : ''}`;
  return `<h1>tierctl rehearse: Model Tier Access Control</h1><div class="verdict ${r.outcome}" id="verdict">${esc(verdict)}${blockers ? ` (${blockers} blocker${blockers > 1 ? 's' : ''})` : ''}</div>` +
    table(['', ''], facts.map(([k, v]) => [`<th>${esc(k)}</th>`, td(v)]));
}

function findingsSection(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p>No findings.</p>';
  return findings.map((f) => `<div class="finding ${f.severity}" data-finding="${esc(f.id)}"><span class="sev">${esc(f.severity)}</span><strong>${esc(f.title)}</strong><div>${esc(f.detail)}</div>${f.wayOut ? `<div class="way"><strong>Way out:</strong> ${esc(f.wayOut)}</div>` : ''}</div>`).join('');
}

function checksSection(r: RehearseReport): string {
  if (r.checkRuns.length === 0) return '<p>The checks did not run.</p>';
  return r.checkRuns.map((run) => {
    const full = (run.summary.report as VerifyReport | undefined)?.checks ?? (run.summary.checks as readonly CheckResult[]);
    const rows = full.map((c) => [td(c.id, true), td(c.title), td(c.result), td(formatMs(c.durationMs), true), `<td>${esc(c.message ?? '')}${c.evidence ? evidenceHtml(c.evidence) : ''}</td>`]);
    const head = `${run.phase === 'checks-again' ? 'After the rollback drill and re-apply' : 'After the deployment'}: ${run.summary.passed ? 'all passed' : `${full.filter((c) => c.result === 'fail').length} failed`}`;
    return `<h3>${esc(head)}</h3>${table(['#', 'check', 'result', 'time', 'detail and evidence'], rows, full.map((c) => `check-${c.result === 'fail' ? 'failed' : c.result}`))}`;
  }).join('');
}

function evidenceHtml(e: NonNullable<CheckResult['evidence']>): string {
  const lines = [e.request && `request: ${e.request}`, e.status !== undefined && `status: ${e.status}`, `expected: ${e.expected}`, `actual: ${e.actual}`, e.body && `body: ${e.body}`].filter(Boolean);
  return `<pre class="evidence">${esc(lines.join('\n'))}</pre>`;
}

function subscribersSection(r: RehearseReport): string {
  const i = r.impact;
  if (!i) return '<p class="muted">Only on a copy of production (--from-backup / --from-database).</p>';
  const tiers = table(['', ...TIERS.map(tierLabel)], [
    [td('users by effective tier'), ...TIERS.map((t) => td(formatCount(i.usersByTier[t]), true))],
    [td('of which active or trialing subscribers'), ...TIERS.map((t) => td(formatCount(i.subscribersByTier[t]), true))],
  ]);
  const models = i.models.length === 0 ? '<p>No model changes who may use it.</p>' : table(['model', 'before', 'after', ...TIERS.map((t) => `${tierLabel(t)} users losing it`), 'users gaining it'],
    i.models.map((m) => [td(m.id), td(m.before.map(tierLabel).join(', ') || 'none'), td(m.after.map(tierLabel).join(', ') || 'none'), ...TIERS.map((t) => td(formatCount(m.losing[t]), true)), td(formatCount(TIERS.reduce((n, t) => n + m.gaining[t], 0)), true)]));
  const gaps = i.gaps.length === 0 ? '' : `<h3>Paid subscriptions that count as Free</h3>${table(['subscribed tier', 'why it does not count', 'effective tier', 'users'], i.gaps.map((g) => [td(tierLabel(g.subscribed)), td(g.reason), td(tierLabel(g.effective)), td(formatCount(g.users), true)]))}`;
  return `${tiers}<h3>Models whose access changes</h3>${models}${gaps}`;
}

function lossSection(r: RehearseReport): string {
  const l = r.wouldBeLoss;
  if (!l) return '<p class="muted">Not measured in this rehearsal.</p>';
  const verdict = l.refusal ? `The data-loss guard refuses: ${l.refusal.message.split('\n')[0]}` : `Allowed: ${l.allowedBy ?? '-'}${l.backup ? ` (backup ${l.backup})` : ''}`;
  const differs = new Map((l.coverage?.differences ?? []).map((d) => [d.id, d]));
  const inBackup = (id: string) => {
    if (!l.coverage) return 'no backup';
    const d = differs.get(id);
    if (!d) return 'the same values';
    return d.dump ? `differs (${d.fields.join(', ')}): ${d.dump.requiredTier}, ${d.dump.tierRestrictionMode}, {${(d.dump.allowedTiers ?? []).join(', ')}}` : 'not in the backup';
  };
  const rows = l.models.map((m) => [td(m.id), td(m.requiredTier ?? '-'), td(m.tierRestrictionMode ?? '-'), td((m.allowedTiers ?? []).join(', ')), td(inBackup(m.id))]);
  return `<p id="loss-verdict">${esc(verdict)}</p>${rows.length ? table(['model', 'required_tier', 'tier_restriction_mode', 'allowed_tiers', 'in the backup'], rows, l.models.map((m) => (differs.has(m.id) ? 'loss-uncovered' : 'loss-covered'))) : '<p>No model would lose a tier setting.</p>'}`;
}

function locksSection(r: RehearseReport): string {
  if (r.profiles.length === 0) return '<p class="muted">Only on a copy of production (--from-backup / --from-database).</p>';
  return r.profiles.map((p) => {
    const rows = p.statements.map((s) => [td(`${s.migration} #${s.index}`), `<td><code>${esc(s.sql.split('\n')[0]!.slice(0, 120))}</code></td>`, td(strongestPerRelation(s.locks) || '-'), td(formatMs(s.durationMs), true), td(formatMs(s.holdMs), true)]);
    const failed = p.failed ? `<p class="finding blocker">Failed at ${esc(p.failed.migration)} #${p.failed.index}: ${esc(p.failed.error)}</p>` : '';
    return `<h3>${p.direction === 'apply' ? 'Migration' : 'Rollback (down.sql)'}: models ACCESS EXCLUSIVE for ${esc(formatMs(p.modelsAccessExclusiveMs))}</h3>${lockChartSvg(p)}${failed}${table(['statement', 'SQL', 'locks taken', 'runs', 'locks held'], rows)}`;
  }).join('');
}

const json = (r: RehearseReport) => JSON.stringify(r).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function reportHtml(r: RehearseReport): string {
  const children: Record<string, readonly PhaseRecord[]> = {};
  if (r.deploy) children.deploy = r.deploy.phases;
  if (r.rollback) children['rollback-drill'] = r.rollback.phases;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>tierctl rehearse: ${esc(r.outcome)}</title><style>${CSS}</style></head><body>${header(r)}` +
    section('findings', 'Findings', findingsSection(r.findings)) +
    section('timeline', 'Phase timeline', timelineSvg(timelineRows(r.phases, children))) +
    section('locks', 'Lock time per statement', locksSection(r)) +
    section('checks', 'The eight checks, with evidence', checksSection(r)) +
    section('subscribers', 'Affected subscribers', subscribersSection(r)) +
    section('loss', "The rollback's would-be loss", lossSection(r)) +
    `<script type="application/json" id="rehearsal-data">${json(r)}</script></body></html>\n`;
}
