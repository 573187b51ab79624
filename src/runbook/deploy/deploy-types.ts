import type { Failure, Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import type { PhaseRecord } from './deploy-journal.js';

/** One post-deployment check as deploy records it (from `tierctl verify`'s report). */
export interface CheckSummary {
  readonly id: number;
  readonly title: string;
  readonly result: 'pass' | 'fail' | 'skipped';
  readonly durationMs: number;
  /** Why it failed or was skipped. */
  readonly message?: string;
}

/** The health check and the eight checks, run against the deployed API. */
export interface VerifySummary {
  readonly passed: boolean;
  readonly checks: readonly CheckSummary[];
  /** The full verify report, kept in the evidence bundle. */
  readonly report: unknown;
}

/** Runs `tierctl verify` in-process against the target (health first, then the checks). */
export type VerifyRunner = (target: { readonly apiUrl: string; readonly database: DatabaseTarget; readonly signal?: AbortSignal }) => Promise<Result<VerifySummary>>;

export interface DeployOptions {
  readonly database: DatabaseTarget;
  readonly apiUrl: string;
  readonly backupDir: string;
  /** Where the evidence bundle (JSON + JUnit) is written. */
  readonly evidenceDir: string;
  readonly journalPath: string;
  readonly fixturesDir: string;
  readonly migrationsDir?: string;
  readonly pgDump?: string;
  /** Shell commands that stop and start the backend (systemd, pm2, ...); none for blue-green. */
  readonly stopCmd?: string;
  readonly startCmd?: string;
  readonly hookTimeoutMs: number;
  readonly seed: boolean;
  readonly testUsers: boolean;
  readonly testPassword: string;
  readonly autoRollback: boolean;
  readonly resume: boolean;
  readonly lockTimeoutMs?: number;
  /** How long to wait for /health and for the API to serve the new schema. */
  readonly waitMs: number;
  /** Timeout of each HTTP request deploy makes itself. */
  readonly httpTimeoutMs: number;
}

export interface DeployDeps {
  readonly reporter: Reporter;
  readonly verify: VerifyRunner;
  readonly signal?: AbortSignal;
}

/** Where the deployment left the database and the service, in words an operator can act on. */
export interface DeployState {
  readonly database: string;
  readonly service: string;
}

export interface DeployReport {
  readonly outcome: 'succeeded' | 'failed' | 'rolled_back' | 'interrupted';
  readonly state: DeployState;
  readonly phases: readonly PhaseRecord[];
  readonly failure: Failure | null;
  readonly evidence: { readonly json: string; readonly junit: string };
  readonly totalMs: number;
}
