/**
 * What a rehearsal on a copy of production found: each finding says what it means for the
 * real deployment and the way out. `blocker`: the real deployment would fail or do harm as
 * things stand (the rehearsal fails, exit 1); `warning`: it would work, with a consequence
 * someone should accept knowingly; `info`: figures to plan with (durations, lock times).
 */
export type FindingSeverity = 'blocker' | 'warning' | 'info';

export type FindingId =
  | 'missing-extensions'
  | 'missing-roles'
  | 'sandbox-server-older'
  | 'starting-state'
  | 'missing-models'
  | 'unavailable-models'
  | 'subscribers-losing-access'
  | 'entitlement-gap'
  | 'statement-locks'
  | 'rollback-statement-locks'
  | 'durations'
  | 'rollback-loss'
  | 'checks-failed';

export interface Finding {
  readonly id: FindingId;
  readonly severity: FindingSeverity;
  readonly title: string;
  /** What was found, in a sentence or two. */
  readonly detail: string;
  /** What to do about it (blockers and warnings always have one). */
  readonly wayOut?: string;
  /** The figures behind it (also drawn in the HTML report). */
  readonly evidence?: unknown;
}

export const finding = (f: Finding): Finding => f;

export const hasBlocker = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity === 'blocker');

export { formatBytes } from '../preflight/preflight-check.js';

/** A duration as people read it: 850 ms, 12.3 s, 4 min 05 s. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
