import { restoreStream, type RestoreProgress } from '../../db/dump/restore-stream.js';
import { directPgTool } from '../../db/dump/pg-tools.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { redactUrl } from '../../shared/redact-url.js';
import type { StepHandle } from '../../shared/reporter.js';
import type { PhaseDone } from '../deploy/run-phase.js';
import { analyseCopy } from './copy-analysis.js';
import { checkSandboxServer } from './copy-requirements.js';
import { describeSource, type SourceSpec } from './copy-source.js';
import type { DrillContext } from './drill-context.js';
import { formatBytes, formatCount, hasBlocker, type Finding } from './findings.js';
import { createSandbox } from './sandbox-database.js';
import { startingState } from './starting-state.js';

/**
 * The phases that make a copy of production to rehearse on: describe the source (verify
 * the backup, or inspect the live database read only), check the sandbox server has what
 * the copy needs and create the marked sandbox, restore into it with progress, read its
 * starting state, and analyse what the deployment's data changes there.
 */
type Body = Promise<Result<PhaseDone<unknown>>>;

const blocked = (findings: readonly Finding[], what: string) => {
  const blockers = findings.filter((f) => f.severity === 'blocker');
  return err<never>(failure('rehearsal_blocked', `${what}:\n  ${blockers.map((b) => `${b.title}: ${b.detail}`).join('\n  ')}`, ExitCode.failed, {
    hint: blockers.map((b) => b.wayOut).filter(Boolean).join('\n      '),
    problems: blockers.map((b) => b.title),
  }));
};

export async function sourceBody(ctx: DrillContext, spec: SourceSpec): Body {
  const r = await describeSource(spec, { reporter: ctx.deps.reporter, childEnv: ctx.deps.childEnv, ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}), ...(ctx.o.pgDump ? { pgDump: ctx.o.pgDump } : {}), ...(ctx.o.pgRestore ? { pgRestore: ctx.o.pgRestore } : {}) });
  if (!r.ok) return r;
  ctx.source = r.value;
  const s = r.value;
  const needs = [s.requirements.extensions.length > 0 ? `extensions ${s.requirements.extensions.join(', ')}` : null, s.requirements.roles.length > 0 ? `roles ${s.requirements.roles.join(', ')}` : null].filter(Boolean);
  const { feed: _feed, ...shown } = s; // the feed holds the source's URL, password included: never in a report
  return ok({ detail: `${s.database} (PostgreSQL ${s.serverVersion}): ${formatCount(s.tables)} tables, ${formatBytes(s.sizeBytes)}${needs.length ? `; needs ${needs.join(', ')}` : ''}`, data: shown });
}

export async function sandboxBody(ctx: DrillContext): Body {
  const checked = await checkSandboxServer(ctx.o.adminUrl, ctx.source!);
  if (!checked.ok) return checked;
  ctx.findings.push(...checked.value.findings);
  if (hasBlocker(checked.value.findings)) return blocked(checked.value.findings, `Nothing was created on ${redactUrl(ctx.o.adminUrl)}`);
  const created = await createSandbox(ctx.o.adminUrl, ctx.deps.owner, ctx.source!.schema);
  if (!created.ok) return created;
  ctx.sandbox = created.value;
  return ok({ detail: `${created.value.name} on PostgreSQL ${checked.value.serverVersion} (marked: host ${ctx.deps.owner.host}, pid ${ctx.deps.owner.pid})`, data: { database: created.value.name } });
}

function progressLine(total: { tables: number; bytes: number | null }, p: RestoreProgress): string {
  const bytes = total.bytes ? `${formatBytes(p.bytes)} of ${formatBytes(total.bytes)} (${Math.min(100, Math.floor((100 * p.bytes) / total.bytes))} %)` : formatBytes(p.bytes);
  return `${Math.min(p.tablesDone, total.tables)}/${total.tables} tables, ${bytes}${p.doing ? `: ${p.doing}` : ''}`;
}

export async function copyBody(ctx: DrillContext, step: StepHandle): Body {
  const s = ctx.source!;
  let last = 0;
  let lastDone = -1;
  const total = { tables: s.tables, bytes: s.feed.kind === 'file' ? s.sizeBytes : null };
  const r = await restoreStream(
    {
      feed: s.feed, pgRestore: ctx.o.pgRestore ?? (await directPgTool('pg_restore')), targetUrl: ctx.sandbox!.url, targetDatabase: ctx.sandbox!.name,
      ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}),
      onProgress: (p) => {
        const now = performance.now();
        // A line when a table is done, otherwise at most every progressEveryMs.
        if (p.tablesDone === lastDone && now - last < ctx.deps.progressEveryMs) return;
        last = now;
        lastDone = p.tablesDone;
        step.update(progressLine(total, p));
      },
    },
    ctx.deps.childEnv,
  );
  if (!r.ok) return r;
  ctx.copy = r.value;
  return ok({ detail: `${r.value.tables} tables, ${formatBytes(r.value.bytes)} in ${(r.value.durationMs / 1000).toFixed(1)} s (pg_restore --no-owner --no-acl)`, data: r.value });
}

export async function startingStateBody(ctx: DrillContext): Body {
  const r = await startingState(ctx.sandbox!.url, ctx.o.migrationsDir);
  if (!r.ok) return r;
  ctx.state = r.value.state;
  ctx.findings.push(...r.value.state.findings);
  if (r.value.state.kind === 'blocked') return blocked(r.value.state.findings, 'The deployment would be refused on this database as it is');
  return ok({ detail: `${r.value.state.kind === 'deployed' ? 'tier schema applied: rollback drilled first' : 'at the baseline: deploy first'}; pending ${r.value.state.pending.join(', ') || 'none'}`, data: r.value.state });
}

export async function analysisBody(ctx: DrillContext): Body {
  const r = await analyseCopy(ctx.sandbox!.url, { schema: ctx.source!.schema, fixturesDir: ctx.o.fixturesDir, workDir: ctx.workDir, tierColumns: ctx.state!.tierSchema === 'present', now: (ctx.deps.now ?? (() => new Date()))() });
  if (!r.ok) return r;
  ctx.fixturesDir = r.value.fixturesDir;
  ctx.impact = r.value.impact;
  ctx.findings.push(...r.value.findings);
  const losing = r.value.impact.models.filter((m) => Object.values(m.losing).some((n) => n > 0)).length;
  return ok({ detail: `${formatCount(r.value.impact.users)} users; ${losing} model(s) restricted further; ${r.value.missingModels.length} assignment(s) name missing models`, data: { missingModels: r.value.missingModels } });
}
