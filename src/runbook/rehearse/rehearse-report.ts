import { ExitCode } from '../../shared/exit-codes.js';
import { failure, type Failure } from '../../shared/failure.js';
import type { PhaseRecord } from '../deploy/deploy-journal.js';
import type { DeployReport } from '../deploy/deploy-types.js';
import type { RollbackReport } from '../rollback/rollback-procedure.js';
import { durationsFinding, type WouldBeLoss } from './copy-findings.js';
import type { CopySource } from './copy-source.js';
import type { CheckRun, DrillContext } from './drill-context.js';
import { finding, type Finding } from './findings.js';
import type { StartingState } from './starting-state.js';
import type { StatementProfile } from './statement-profile.js';
import type { SubscriberImpact } from './subscriber-impact.js';

/**
 * Everything a rehearsal found and did, as one value: printed as JSON (`--json`), kept as
 * the evidence, and drawn by the HTML report (`--report`), which reads nothing else.
 */
export interface RehearseReport {
  readonly outcome: 'passed' | 'failed' | 'interrupted';
  /** `catalog`: the sandbox catalog; `backup` / `database`: a copy of production. */
  readonly mode: 'catalog' | 'backup' | 'database';
  readonly startedAt: string;
  readonly source: Omit<CopySource, 'feed'> | null;
  /** The server the sandbox was made on, password hidden. */
  readonly sandboxServer: string;
  readonly sandbox: string | null;
  readonly startingState: StartingState | null;
  readonly phases: readonly PhaseRecord[];
  readonly deploy: DeployReport | null;
  readonly rollback: RollbackReport | null;
  readonly checkRuns: readonly CheckRun[];
  readonly findings: readonly Finding[];
  readonly profiles: readonly StatementProfile[];
  readonly impact: SubscriberImpact | null;
  readonly wouldBeLoss: WouldBeLoss | null;
  readonly copy: { readonly bytes: number; readonly tables: number; readonly durationMs: number; readonly dataMs: number } | null;
  readonly failure: Failure | null;
  /** What could not be cleaned up (empty: nothing of the rehearsal remains). */
  readonly leftovers: readonly string[];
  readonly totalMs: number;
}

const ORDER = { blocker: 0, warning: 1, info: 2 } as const;

function checksFindings(runs: readonly CheckRun[]): Finding[] {
  return runs
    .filter((r) => !r.summary.passed)
    .map((r) => {
      const failed = r.summary.checks.filter((c) => c.result === 'fail');
      return finding({
        id: 'checks-failed',
        severity: 'blocker',
        title: `${failed.length} of the eight post-deployment checks failed (${r.phase})`,
        detail: failed.map((c) => `${c.id} ${c.title}${c.message ? `: ${c.message}` : ''}`).join('; '),
        wayOut: 'The real deployment would fail its checks and roll back: see each check\'s evidence (request, status, body, expected) and fix the cause before deploying.',
        evidence: failed,
      });
    });
}

const phaseMs = (phases: readonly PhaseRecord[] | undefined, id: string) => phases?.find((p) => p.id === id && p.outcome === 'ok')?.durationMs ?? null;

/** The report of a finished rehearsal: findings sorted (blockers first), and the failure a blocker means. */
export function assembleReport(ctx: DrillContext, x: { phases: readonly PhaseRecord[]; failed: Failure | null; leftovers: readonly string[]; startedAt: string; totalMs: number; sandboxServer: string }): RehearseReport {
  const findings = [...ctx.findings, ...checksFindings(ctx.checkRuns)];
  if (ctx.copy) {
    const backupMs = phaseMs(ctx.deploy?.phases, 'backup') ?? phaseMs(x.phases, 'backup');
    findings.push(durationsFinding({ restoreMs: ctx.copy.durationMs, copyBytes: ctx.copy.bytes, tables: ctx.copy.tables, backupMs, migrateMs: phaseMs(ctx.deploy?.phases, 'migrate'), rollbackMs: phaseMs(ctx.rollback?.phases, 'migrate-rollback') }));
  }
  const sorted = findings.map((f, i) => ({ f, i })).sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i).map((e) => e.f);
  const blockers = sorted.filter((f) => f.severity === 'blocker');
  const failed = x.failed ?? (blockers.length > 0
    ? failure('rehearsal_findings', `The rehearsal found ${blockers.length} blocker(s): ${blockers.map((b) => b.title).join('; ')}`, ExitCode.failed, { hint: blockers.map((b) => b.wayOut).filter(Boolean).join('\n      ') })
    : null);
  const outcome = !failed ? 'passed' : failed.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed';
  const { feed: _feed, ...source } = ctx.source ?? { feed: null };
  return {
    outcome, mode: ctx.o.from?.kind ?? 'catalog', startedAt: x.startedAt, source: ctx.source ? (source as Omit<CopySource, 'feed'>) : null, sandboxServer: x.sandboxServer,
    sandbox: ctx.sandbox?.name ?? null, startingState: ctx.state, phases: x.phases, deploy: ctx.deploy, rollback: ctx.rollback, checkRuns: ctx.checkRuns, findings: sorted,
    profiles: ctx.profiles, impact: ctx.impact, wouldBeLoss: ctx.wouldBeLoss, copy: ctx.copy, failure: failed, leftovers: x.leftovers, totalMs: x.totalMs,
  };
}
