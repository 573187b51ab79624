import { join } from 'node:path';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { plainTarget } from '../../shared/database-target.js';
import { ok, type Result } from '../../shared/failure.js';
import { silentReporter } from '../../shared/reporter.js';
import { backupDatabase } from '../backup/backup.js';
import { deploy } from '../deploy/deploy.js';
import { healthPhase, migratePhase, seedPhase, verifyPhase } from '../deploy/deploy-phases.js';
import type { DeployDeps, DeployOptions, VerifyRunner } from '../deploy/deploy-types.js';
import type { PhaseDone } from '../deploy/run-phase.js';
import { migrateDown } from '../migrate/migrate-down.js';
import { loadMigrationSet } from '../migrate/migration-state.js';
import { rollbackProcedure } from '../rollback/rollback-procedure.js';
import { profileFinding, rollbackLossFinding } from './copy-findings.js';
import type { DrillContext } from './drill-context.js';
import { startingState } from './starting-state.js';
import { profileStatements } from './statement-profile.js';

/**
 * The drill's phases, shared by the sandbox-catalog rehearsal and the rehearsal on a copy
 * of production: deploy (every step and the eight checks), the data-loss guard's verdict on
 * a rollback, the rollback drill, re-apply, the checks again; and, on a copy, a backup
 * before a rollback-first drill and each migration statement timed on the copy's sizes.
 */
type Body = Promise<Result<PhaseDone<unknown>>>;

/** The eight checks, recorded with their evidence under the phase they ran in. */
function recordingVerify(ctx: DrillContext): VerifyRunner {
  const run = ctx.deps.verifyWith(ctx.fixturesDir);
  return async (target) => {
    const r = await run(target);
    if (r.ok) ctx.checkRuns.push({ phase: ctx.checksPhase, summary: r.value });
    return r;
  };
}

export const phaseOptions = (ctx: DrillContext): DeployOptions => ({
  database: plainTarget(ctx.sandbox!.url), apiUrl: ctx.backend!.url, backupDir: ctx.workDir, evidenceDir: ctx.o.evidenceDir ?? ctx.workDir, journalPath: join(ctx.workDir, 'deploy-journal.json'),
  fixturesDir: ctx.fixturesDir, hookTimeoutMs: 60_000, seed: true, testUsers: true, testPassword: ctx.o.testPassword, autoRollback: true, resume: false, waitMs: 10_000, httpTimeoutMs: 5000,
  ...(ctx.o.pgDump ? { pgDump: ctx.o.pgDump } : {}),
  ...(ctx.o.migrationsDir ? { migrationsDir: ctx.o.migrationsDir } : {}),
});

const dirOf = (ctx: DrillContext) => (ctx.o.migrationsDir ? { migrationsDir: ctx.o.migrationsDir } : {});

export const phaseDeps = (ctx: DrillContext): DeployDeps => ({ reporter: silentReporter, verify: recordingVerify(ctx), ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}) });

export async function deployBody(ctx: DrillContext, checksPhase: string): Body {
  ctx.checksPhase = checksPhase;
  const r = await deploy(phaseOptions(ctx), { ...phaseDeps(ctx), reporter: ctx.deps.reporter });
  if (!r.ok) return r;
  ctx.deploy = r.value;
  const backup = r.value.phases.find((p) => p.id === 'backup' && p.outcome === 'ok')?.data as { manifestPath: string } | undefined;
  if (backup) ctx.backupManifest = backup.manifestPath;
  if (r.value.failure) return { ok: false, failure: r.value.failure };
  return ok({ detail: `${r.value.phases.filter((p) => p.outcome === 'ok').length} phases ok in ${(r.value.totalMs / 1000).toFixed(2)} s`, data: { evidence: r.value.evidence } });
}

/** A deployed copy: the backup a rollback needs first (guide step 4, on the copy). */
export async function backupBody(ctx: DrillContext): Body {
  const r = await backupDatabase({ database: plainTarget(ctx.sandbox!.url), dir: ctx.workDir, ...(ctx.o.pgDump ? { pgDump: ctx.o.pgDump } : {}) }, { reporter: silentReporter, ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}) });
  if (!r.ok) return r;
  ctx.backupManifest = r.value.manifestPath;
  return ok({ detail: `${r.value.dumpPath} (${r.value.manifest.files.dump.size} bytes), verified`, data: { manifestPath: r.value.manifestPath } });
}

/** What a rollback would do now: the data-loss guard's verdict (a dry run with the backup) and each down.sql statement timed. */
export async function wouldBeLossBody(ctx: DrillContext, when: 'after-deploy' | 'now'): Body {
  const dry = await migrateDown({ database: plainTarget(ctx.sandbox!.url), dryRun: true, ...dirOf(ctx), ...(ctx.backupManifest ? { backupManifest: ctx.backupManifest } : {}) }, { reporter: silentReporter, ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}) });
  if (!dry.ok) return dry;
  const d = dry.value;
  ctx.wouldBeLoss = {
    models: d.modelsWithTierData.map((m) => ({ id: m.id, requiredTier: m.requiredTier, tierRestrictionMode: m.tierRestrictionMode, allowedTiers: m.allowedTiers })),
    allowedBy: d.allowedBy, refusal: d.refusal ? { code: d.refusal.code, message: d.refusal.message, ...(d.refusal.hint ? { hint: d.refusal.hint } : {}) } : null, backup: ctx.backupManifest,
    coverage: d.coverage,
  };
  ctx.findings.push(rollbackLossFinding(ctx.wouldBeLoss, when));
  const set = await loadMigrationSet(ctx.o.migrationsDir);
  if (!set.ok) return set;
  const scripts = d.plan.map((p) => ({ name: `${p.name}/down.sql`, sql: set.value.files.find((f) => f.name === p.name)?.downSql ?? '' }));
  const profiled = await withMigrationSession(plainTarget(ctx.sandbox!.url), 'rehearse', async (client) => ok(await profileStatements(client, 'rollback', scripts, { oneTransaction: true })));
  if (!profiled.ok) return profiled;
  ctx.profiles.push(profiled.value);
  ctx.findings.push(profileFinding(profiled.value));
  const loss = ctx.wouldBeLoss.models.length;
  return ok({ detail: `${loss} model(s) would lose tier settings (${d.refusal ? `refused: ${d.refusal.code}` : `allowed: ${d.allowedBy}`}); down.sql ${profiled.value.statements.length} statements`, data: ctx.wouldBeLoss });
}

export async function rollbackDrillBody(ctx: DrillContext, acceptLoss: boolean): Body {
  const r = await rollbackProcedure(
    { database: plainTarget(ctx.sandbox!.url), ...dirOf(ctx), apiUrl: ctx.backend!.url, ...(ctx.backupManifest ? { backupManifest: ctx.backupManifest } : {}), acceptLoss, hookTimeoutMs: 60_000, httpTimeoutMs: 5000, waitMs: 10_000, reason: 'tierctl rehearse: rollback drill' },
    { reporter: ctx.deps.reporter, ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}) },
  );
  if (!r.ok) return r;
  ctx.rollback = r.value;
  if (r.value.failure) return { ok: false, failure: r.value.failure };
  return ok({ detail: r.value.verification.map((v) => `${v.title}: ${v.result}`).join('; '), data: { verification: r.value.verification } });
}

export async function reapplyBody(ctx: DrillContext): Body {
  const applied = await migratePhase(phaseOptions(ctx), phaseDeps(ctx));
  if (!applied.ok) return applied;
  const seeded = await seedPhase(phaseOptions(ctx), phaseDeps(ctx));
  if (!seeded.ok) return seeded;
  const served = await healthPhase(phaseOptions(ctx), phaseDeps(ctx));
  if (!served.ok) return served;
  return ok({ detail: `${applied.value.detail}; ${seeded.value.detail}; ${served.value.detail}`, data: null });
}

export function checksAgainBody(ctx: DrillContext): Body {
  ctx.checksPhase = 'checks-again';
  return verifyPhase(phaseOptions(ctx), phaseDeps(ctx));
}

/** Each pending migration statement on the copy's table sizes, in one transaction that is rolled back. */
export async function migrationProfileBody(ctx: DrillContext): Body {
  const now = await startingState(ctx.sandbox!.url, ctx.o.migrationsDir);
  if (!now.ok) return now;
  const scripts = now.value.set.files.filter((f) => now.value.state.pending.includes(f.name)).map((f) => ({ name: f.name, sql: f.sql }));
  const profiled = await withMigrationSession(plainTarget(ctx.sandbox!.url), 'rehearse', async (client) => ok(await profileStatements(client, 'apply', scripts, { oneTransaction: false })));
  if (!profiled.ok) return profiled;
  ctx.profiles.push(profiled.value);
  const f = profileFinding(profiled.value);
  ctx.findings.push(f);
  return ok({ detail: f.title, data: { modelsAccessExclusiveMs: profiled.value.modelsAccessExclusiveMs } });
}
