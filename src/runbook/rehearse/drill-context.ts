import type { Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import type { DeployReport, VerifyRunner, VerifySummary } from '../deploy/deploy-types.js';
import type { RollbackReport } from '../rollback/rollback-procedure.js';
import type { CopySource } from './copy-source.js';
import type { WouldBeLoss } from './copy-findings.js';
import type { Finding } from './findings.js';
import type { SandboxDatabase } from './sandbox-database.js';
import type { SandboxOwner } from './sandbox-marker.js';
import type { StartingState } from './starting-state.js';
import type { StatementProfile } from './statement-profile.js';
import type { SubscriberImpact } from './subscriber-impact.js';
import type { SourceSpec } from './copy-source.js';
import type { RestoreStreamReport } from '../../db/dump/restore-stream.js';

/** The backend under rehearsal, started in this process by the caller (the CLI edge). */
export interface Backend {
  readonly url: string;
  close(): Promise<void>;
}

export interface RehearseOptions {
  /** The server the sandbox is created on (`--sandbox-url`): a URL of one of its databases, e.g. `.../postgres`. */
  readonly adminUrl: string;
  readonly fixturesDir: string;
  readonly testPassword: string;
  /** Rehearse on a copy of production (a backup, or a live database) instead of the sandbox catalog. */
  readonly from?: SourceSpec;
  /** Keep the deploy evidence bundle (JSON + JUnit) here; by default it goes with the other files. */
  readonly evidenceDir?: string;
  readonly pgDump?: string;
  readonly pgRestore?: string;
  /** The migrations the deployment applies (`--migrations-dir`); default the package's. */
  readonly migrationsDir?: string;
}

export interface RehearseDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly startBackend: (databaseUrl: string) => Promise<Result<Backend>>;
  /** The eight checks, run in-process with the given fixtures. */
  readonly verifyWith: (fixturesDir: string) => VerifyRunner;
  /** This process, as the sandbox marker names it. */
  readonly owner: SandboxOwner;
  readonly isAlive: (pid: number) => boolean;
  /** The environment child programs get (PATH, locale): never this process's own. */
  readonly childEnv: Record<string, string>;
  /** How often a long phase (the copy) updates its progress line: often on a terminal, rarely in a CI log. */
  readonly progressEveryMs: number;
  readonly now?: () => Date;
}

/** One run of the eight checks, with its evidence, and the phase it belonged to. */
export interface CheckRun {
  readonly phase: string;
  readonly summary: VerifySummary;
}

/** What the phases of one rehearsal share, filled in as they run. */
export interface DrillContext {
  readonly o: RehearseOptions;
  readonly deps: RehearseDeps;
  readonly workDir: string;
  sandbox: SandboxDatabase | null;
  backend: Backend | null;
  fixturesDir: string;
  source: CopySource | null;
  copy: RestoreStreamReport | null;
  state: StartingState | null;
  impact: SubscriberImpact | null;
  deploy: DeployReport | null;
  rollback: RollbackReport | null;
  /** The backup the rollback drill works with (deploy's, or the one taken of a deployed copy). */
  backupManifest: string | null;
  wouldBeLoss: WouldBeLoss | null;
  readonly findings: Finding[];
  readonly profiles: StatementProfile[];
  readonly checkRuns: CheckRun[];
  /** The phase the next run of the checks belongs to. */
  checksPhase: string;
}

export function newDrillContext(o: RehearseOptions, deps: RehearseDeps, workDir: string): DrillContext {
  return {
    o, deps, workDir, sandbox: null, backend: null, fixturesDir: o.fixturesDir, source: null, copy: null, state: null, impact: null, deploy: null, rollback: null,
    backupManifest: null, wouldBeLoss: null, findings: [], profiles: [], checkRuns: [], checksPhase: 'deploy',
  };
}
