import { nothingAppliedAfter } from '../../runbook/migrate/migrate-down.js';
import { rollbackProcedure } from '../../runbook/rollback/rollback-procedure.js';
import { resolveConfig } from '../../shared/config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import { durationFlag, optionalApiUrl } from '../../shared/settings.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveMigrationsDir } from '../migrations-dir-option.js';
import { colors, formatFailure, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import { phaseTable } from './phase-table.js';
import type { RollbackFlags } from './rollback.js';

const rollbackSettings = {
  apiUrl: optionalApiUrl,
  timeout: durationFlag('timeout', true),
  wait: durationFlag('wait', true),
  hookTimeout: durationFlag('hookTimeout', true),
  lockTimeout: durationFlag('lockTimeout', true),
};

export async function rollbackAction(ctx: CliContext, opts: RollbackFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const migrationsDir = resolveMigrationsDir(ctx, opts);
  const { apiUrl, timeout, wait, hookTimeout, lockTimeout } = unwrap(resolveConfig(rollbackSettings, ctx.sources({ ...opts })));
  await confirmOrRefuse(ctx, {
    yes: Boolean(opts.yes),
    action: `roll back the tier migration of ${database.redacted}${opts.restore ? ` and restore ${opts.restore}` : ''}`,
    details: [opts.stopCmd ? `stop: ${opts.stopCmd}` : 'no stop command', opts.startCmd ? `start: ${opts.startCmd}` : 'no start command'],
  });
  const report = unwrap(
    await rollbackProcedure(
      {
        database,
        ...(apiUrl ? { apiUrl } : {}),
        ...(migrationsDir ? { migrationsDir } : {}),
        ...(opts.backup ? { backupManifest: opts.backup } : {}),
        acceptLoss: Boolean(opts.acceptLoss),
        ...(opts.restore ? { restoreManifest: opts.restore } : {}),
        noOwner: opts.owner === false,
        ...(opts.modelsCsv ? { modelsCsv: opts.modelsCsv } : {}),
        ...(opts.stopCmd ? { stopCmd: opts.stopCmd } : {}),
        ...(opts.startCmd ? { startCmd: opts.startCmd } : {}),
        hookTimeoutMs: hookTimeout,
        httpTimeoutMs: timeout,
        waitMs: wait,
        ...(opts.reason ? { reason: opts.reason } : {}),
        allowEditedDown: opts.allowEditedDown ?? [],
        lockTimeoutMs: lockTimeout,
      },
      { reporter: await cliReporter(ctx), signal: ctx.signal },
    ),
  );
  const code = report.failure ? report.failure.exitCode : ExitCode.ok;
  if (opts.json) {
    writeJson(ctx.stdout, { ok: report.outcome === 'rolled_back' || report.outcome === 'nothing_to_roll_back', ...report });
    return code;
  }
  const c = colors(ctx.stdout, ctx.env);
  ctx.stdout.write(phaseTable(report.phases, c));
  if (report.verification.length > 0) ctx.stdout.write(renderTable(['verification', 'result', 'detail'], report.verification.map((v) => [v.title, v.result, v.detail])));
  if (report.failure) ctx.stderr.write(formatFailure(report.failure, colors(ctx.stderr, ctx.env)));
  if (report.outcome === 'nothing_to_roll_back') ctx.stdout.write(`Nothing to roll back: ${nothingAppliedAfter(report.target ?? null)} to ${database.redacted}. Nothing was changed; no hook was run.\n`);
  else ctx.stdout.write(report.outcome === 'rolled_back' ? `${c.green('Rolled back')} in ${(report.totalMs / 1000).toFixed(1)} s\n` : `${c.red(`Rollback ${report.outcome}`)}: see the failed phase above\n`);
  return code;
}
