import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { checkTierSchema } from '../../db/migrations/tier-schema-check.js';
import { execOk } from '../../shared/exec.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { backupDatabase } from '../backup/backup.js';
import { createTestUsers } from '../test-users/create-test-users.js';
import { migrateApply } from '../migrate/migrate-apply.js';
import { migrateStatus } from '../migrate/migrate-status.js';
import { preflight } from '../preflight/preflight.js';
import { seedTiers } from '../seed-tiers.js';
import type { DeployDeps, DeployOptions, VerifySummary } from './deploy-types.js';
import type { PhaseDone } from './run-phase.js';
import { createdUpdatedLine, migrateDeployLines, seedGuideLines } from '../guide-output.js';
import { waitHealthy } from '../../verify/wait-healthy.js';
import { waitTierFields } from '../../verify/wait-tier-fields.js';

/**
 * The body of each deploy phase: one runbook step each, run quietly (the phase line is the
 * progress), returning a one-line detail and what later phases and the evidence need.
 */
const quiet = (deps: DeployDeps) => ({ reporter: silentReporter, ...(deps.signal ? { signal: deps.signal } : {}) });

const done = <T>(detail: string, data: T): Result<PhaseDone<T>> => ok({ detail, data });

export async function preflightPhase(o: DeployOptions, deps: DeployDeps) {
  const report = await preflight({ database: o.database, backupDir: o.backupDir, ...(o.pgDump ? { pgDump: o.pgDump } : {}), ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}) }, quiet(deps));
  if (!report.ok) return report;
  const blockers = report.value.checks.filter((c) => c.status === 'blocker');
  if (blockers.length > 0) {
    return err(failure('preflight_blocked', `Preflight found ${blockers.length} blocker(s): nothing was changed.\n  ${blockers.map((b) => `${b.title}: ${b.message}`).join('\n  ')}`, ExitCode.failed, {
      hint: 'Run `tierctl preflight` for the details and the way out of each blocker.',
    }));
  }
  const ledger = await migrateStatus({ database: o.database, ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}) }, quiet(deps));
  if (!ledger.ok) return ledger;
  const detail = `ready (${report.value.warnings} warning(s)); pending: ${ledger.value.pending.join(', ') || 'none'}`;
  return done(detail, { checks: report.value.checks, ledgerBefore: ledger.value.migrations });
}

export async function backupPhase(o: DeployOptions, deps: DeployDeps) {
  const r = await backupDatabase({ database: o.database, dir: o.backupDir, ...(o.pgDump ? { pgDump: o.pgDump } : {}) }, quiet(deps));
  if (!r.ok) return r;
  return done(`${r.value.dumpPath} verified; manifest ${r.value.manifestPath}`, { manifestPath: r.value.manifestPath, manifest: r.value.manifest });
}

/** A stop or start hook (systemd, pm2, ...): an operator-written shell command that must exit 0 in time. */
export async function hookPhase(command: string, timeoutMs: number, signal?: AbortSignal) {
  const r = await execOk(command, [], { shell: true, timeoutMs, ...(signal ? { signal } : {}) });
  if (!r.ok) return r;
  return done(`\`${command}\` exited 0`, { command });
}

/** `runId`: the deployment's id, recorded with each migration it applies (what its automatic rollback may undo). */
export async function migratePhase(o: DeployOptions, deps: DeployDeps, runId?: string) {
  const r = await migrateApply({ database: o.database, ...(runId ? { runId } : {}), ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}), ...(o.lockTimeoutMs ? { lockTimeoutMs: o.lockTimeoutMs } : {}) }, quiet(deps));
  if (!r.ok) return r;
  const applied = r.value.applied;
  const detail = applied.length === 0 ? 'nothing pending (already applied)' : applied.map((a) => `${a.name} (locks held ${Math.round(a.heldMs)} ms)`).join(', ');
  const guide = migrateDeployLines(applied.length + r.value.alreadyApplied.length, o.migrationsDir, applied.map((a) => a.name));
  return ok({ detail, data: { applied: applied.map((a) => ({ name: a.name, heldMs: a.heldMs, attempts: a.attempts })), lockWaitMs: r.value.lockWaitMs }, guide: [...guide.head, guide.last] });
}

/** The guide's step 5: the three columns and both indexes exist, read from the catalog. */
export async function migrationVerifiedPhase(o: DeployOptions) {
  const r = await withMigrationSession(o.database, 'deploy', async (client, schema) => ok(await checkTierSchema(client, schema, 'present')), { plain: true });
  if (!r.ok) return r;
  if (!r.value.ok) return err(failure('migration_not_verified', `The tier schema is incomplete after the migration: missing ${r.value.wrong.join(', ')}`, ExitCode.failed));
  return done(`columns ${r.value.columns.map((c) => c.column).join(', ')}; indexes ${r.value.indexes.map((i) => i.name).join(', ')}`, r.value);
}

export async function seedPhase(o: DeployOptions, deps: DeployDeps) {
  const r = await seedTiers({ database: o.database, fixturesDir: o.fixturesDir }, quiet(deps));
  if (!r.ok) return r;
  // The changes (before and after) are what an automatic rollback undoes when the tier columns stay.
  return ok({ detail: createdUpdatedLine(r.value.touched), data: { touched: r.value.touched, changes: r.value.changes.filter((c) => c.changed) }, guide: seedGuideLines(r.value.touched, r.value.changes.length - r.value.touched) });
}

export async function testUsersPhase(o: DeployOptions) {
  const r = await createTestUsers({ database: o.database, fixturesDir: o.fixturesDir, password: o.testPassword }, { reporter: silentReporter });
  if (!r.ok) return r;
  return done(`${r.value.users.length} test users (${r.value.changed} changed)`, { users: r.value.users.map((u) => ({ email: u.email, outcome: u.outcome })) });
}

/**
 * The guide's step 9 (health), then: the running instances serve the new schema. Instances
 * that kept running through the migration pick it up without a restart, within their
 * re-check bound; this waits for that before the checks judge them.
 */
export async function healthPhase(o: DeployOptions, deps: DeployDeps) {
  const wait = { waitMs: o.waitMs, timeoutMs: o.httpTimeoutMs, ...(deps.signal ? { signal: deps.signal } : {}) };
  const health = await waitHealthy(o.apiUrl, wait);
  if (!health.ok) return health;
  const r = await waitTierFields(o.apiUrl, 'present', wait);
  if (!r.ok) return r;
  return done(`healthy after ${health.value.attempts} attempt(s); /v1/models lists the tier fields (after ${r.value.waitedMs} ms)`, { health: health.value.body, schemaWaitMs: r.value.waitedMs });
}

export async function verifyPhase(o: DeployOptions, deps: DeployDeps): Promise<Result<PhaseDone<VerifySummary>>> {
  const r = await deps.verify({ apiUrl: o.apiUrl, database: o.database, ...(deps.signal ? { signal: deps.signal } : {}) });
  if (!r.ok) return r;
  const s = r.value;
  const passed = s.checks.filter((c) => c.result === 'pass').length;
  if (!s.passed) {
    const failed = s.checks.filter((c) => c.result === 'fail');
    return err(failure('checks_failed', `${failed.length} of ${s.checks.length} post-deployment checks failed: ${failed.map((c) => `${c.id} ${c.title}${c.message ? ` (${c.message})` : ''}`).join('; ')}`, ExitCode.failed, {
      hint: 'Run `tierctl verify` against the API for the evidence of each failure.',
    }));
  }
  return done(`${passed}/${s.checks.length} checks passed`, s);
}
