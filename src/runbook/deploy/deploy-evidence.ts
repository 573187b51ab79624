import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { junitXml, type JUnitCase } from '../../shared/junit-xml.js';
import { backupNames, publish, tempPath, removeQuietly } from '../backup/backup-files.js';
import type { PhaseRecord } from './deploy-journal.js';
import type { DeployReport, DeployState, VerifySummary } from './deploy-types.js';

export const EVIDENCE_FORMAT = 'tierctl-deploy-evidence/1';

export interface EvidenceInput {
  readonly outcome: DeployReport['outcome'];
  readonly state: DeployState;
  readonly phases: readonly PhaseRecord[];
  readonly failure: Failure | null;
  readonly totalMs: number;
  readonly database: string;
  readonly startedAt: string;
  readonly verify: VerifySummary | null;
  /** The ledger when the deployment ended (null: the database could not be read). */
  readonly ledgerAfter: unknown;
}

const dataOf = <T>(phases: readonly PhaseRecord[], id: string): T | null => (phases.find((p) => p.id === id && p.outcome === 'ok')?.data ?? null) as T | null;

function phaseCase(p: PhaseRecord): JUnitCase {
  const base = { name: `${p.id}: ${p.title}`, classname: 'tierctl.deploy', timeMs: p.durationMs };
  if (p.outcome === 'failed' || p.outcome === 'interrupted') return { ...base, failure: { message: p.failure?.message.split('\n')[0] ?? p.outcome, details: p.detail } };
  if (p.outcome === 'skipped') return { ...base, skipped: p.detail };
  return base;
}

function checkCases(v: VerifySummary | null): JUnitCase[] {
  return (v?.checks ?? []).map((c) => {
    const base = { name: `Test ${c.id}: ${c.title}`, classname: 'tierctl.verify', timeMs: c.durationMs };
    if (c.result === 'fail') return { ...base, failure: { message: c.message ?? 'failed', details: c.message ?? '' } };
    if (c.result === 'skipped') return { ...base, skipped: c.message ?? 'skipped' };
    return base;
  });
}

/**
 * The evidence bundle a CI system archives: one JSON (every phase with its duration and
 * outcome, the backup manifest, the ledger before and after, the verify report) and one
 * JUnit file (a testcase per phase and per check). Written under new names, never replacing.
 */
export async function writeDeployEvidence(dir: string, e: EvidenceInput): Promise<Result<{ json: string; junit: string }>> {
  const base = backupNames(new Date(e.startedAt)).base.replace('backup_before_tier_migration', 'deploy_evidence');
  const migrate = dataOf<{ applied: unknown }>(e.phases, 'migrate');
  const json = {
    format: EVIDENCE_FORMAT,
    database: e.database,
    startedAt: e.startedAt,
    finishedAt: new Date().toISOString(),
    outcome: e.outcome,
    state: e.state,
    totalMs: e.totalMs,
    failure: e.failure,
    phases: e.phases.map(({ data: _data, ...p }) => p),
    backupManifest: dataOf<{ manifest: unknown }>(e.phases, 'backup')?.manifest ?? null,
    ledgerBefore: dataOf<{ ledgerBefore: unknown }>(e.phases, 'preflight')?.ledgerBefore ?? null,
    ledgerAfter: e.ledgerAfter,
    migrationsApplied: migrate?.applied ?? null,
    rollback: dataOf(e.phases, 'auto-rollback'),
    verify: e.verify?.report ?? null,
  };
  const xml = junitXml([
    { name: 'tierctl deploy', timestamp: e.startedAt, cases: e.phases.map(phaseCase) },
    { name: 'tierctl verify (post-deployment checks)', timestamp: e.startedAt, cases: checkCases(e.verify) },
  ]);
  const files = [`${base}.json`, `${base}.junit.xml`] as const;
  const temps = files.map((f) => tempPath(dir, f));
  try {
    // 0600: the evidence names the database, the users and what they were answered.
    await writeFile(temps[0]!, `${JSON.stringify(json, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    await writeFile(temps[1]!, xml, { flag: 'wx', mode: 0o600 });
    return ok({ json: join(dir, await publish(dir, temps[0]!, files[0])), junit: join(dir, await publish(dir, temps[1]!, files[1])) });
  } catch (x) {
    await removeQuietly(temps);
    return err(failure('evidence_not_written', `Cannot write the evidence bundle in ${dir}: ${(x as Error).message}`, ExitCode.failed));
  }
}
