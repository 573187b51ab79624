import { deploy } from '../../runbook/deploy/deploy.js';
import type { DeployReport } from '../../runbook/deploy/deploy-types.js';
import { resolveConfig } from '../../shared/config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import { apiUrl, durationFlag } from '../../shared/settings.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { resolveMigrationsDir } from '../migrations-dir-option.js';
import { colors, formatFailure, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import type { DeployFlags } from './deploy.js';
import { isLocalDatabase } from './migrate/migrate-options.js';
import { phaseTable } from './phase-table.js';
import { testPassword } from './users-action.js';
import { verifyRunner } from '../../runbook/deploy/verify-runner.js';

const OUTCOME = { succeeded: 'Deployed', failed: 'Deployment FAILED', rolled_back: 'Deployment FAILED and rolled back', interrupted: 'Deployment INTERRUPTED' } as const;

const deploySettings = {
  apiUrl,
  wait: durationFlag('wait', true),
  timeout: durationFlag('timeout', true),
  hookTimeout: durationFlag('hookTimeout', true),
  lockTimeout: durationFlag('lockTimeout', true),
};

export function deploySummary(r: DeployReport, c: ReturnType<typeof colors>): string {
  const head = r.outcome === 'succeeded' ? c.green(OUTCOME[r.outcome]) : c.red(OUTCOME[r.outcome]);
  return `${phaseTable(r.phases, c)}${head} in ${(r.totalMs / 1000).toFixed(1)} s\n  database: ${r.state.database}\n  service:  ${r.state.service}\n  evidence: ${r.evidence.json}\n            ${r.evidence.junit}\n`;
}

export async function deployAction(ctx: CliContext, opts: DeployFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const cfg = unwrap(resolveConfig(deploySettings, ctx.sources({ ...opts })));
  const fixturesDir = resolveFixturesDir(ctx, opts);
  const migrationsDir = resolveMigrationsDir(ctx, opts);
  // One password source for creating the test users and logging in as them, as `tierctl verify`
  // has it: users prepared before the deployment (guide pre-deployment step 3) log in too.
  const password = testPassword(ctx, opts.passwordEnv).password;
  if (!isLocalDatabase(database)) {
    await confirmOrRefuse(ctx, { yes: Boolean(opts.yes), action: `deploy the tier migration to ${database.redacted}` });
  }
  const report = unwrap(
    await deploy(
      {
        database,
        apiUrl: cfg.apiUrl,
        backupDir: opts.backupDir,
        evidenceDir: opts.evidenceDir ?? opts.backupDir,
        journalPath: opts.journal,
        fixturesDir,
        ...(migrationsDir ? { migrationsDir } : {}),
        ...(opts.pgDump ? { pgDump: opts.pgDump } : {}),
        ...(opts.stopCmd ? { stopCmd: opts.stopCmd } : {}),
        ...(opts.startCmd ? { startCmd: opts.startCmd } : {}),
        hookTimeoutMs: cfg.hookTimeout,
        seed: Boolean(opts.seed),
        testUsers: Boolean(opts.testUsers),
        testPassword: password,
        autoRollback: opts.autoRollback,
        resume: Boolean(opts.resume),
        lockTimeoutMs: cfg.lockTimeout,
        waitMs: cfg.wait,
        httpTimeoutMs: cfg.timeout,
      },
      { reporter: await cliReporter(ctx), signal: ctx.signal, verify: verifyRunner({ waitMs: cfg.wait, timeoutMs: cfg.timeout, fixturesDir, password }) },
    ),
  );
  const code = report.failure ? report.failure.exitCode : ExitCode.ok;
  if (opts.json) {
    writeJson(ctx.stdout, { ok: report.outcome === 'succeeded', ...report });
    return code;
  }
  if (report.failure) ctx.stderr.write(formatFailure(report.failure, colors(ctx.stderr, ctx.env)));
  ctx.stdout.write(deploySummary(report, colors(ctx.stdout, ctx.env)));
  return code;
}
