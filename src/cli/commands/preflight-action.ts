import { preflight } from '../../runbook/preflight/preflight.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { resolveConfig } from '../../shared/config.js';
import { unwrap } from '../../shared/failure.js';
import { durationFlag } from '../../shared/settings.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveMigrationsDir } from '../migrations-dir-option.js';
import { colors, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { statusMark } from '../status-marks.js';
import { renderTable } from '../table.js';
import type { PreflightFlags } from './preflight.js';

export async function preflightAction(ctx: CliContext, opts: PreflightFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const migrationsDir = resolveMigrationsDir(ctx, opts);
  const { longTransactionMs } = unwrap(resolveConfig({ longTransactionMs: durationFlag('longTransaction', false) }, ctx.sources({ ...opts })));
  const report = unwrap(
    await preflight(
      { database, backupDir: opts.backupDir, longTransactionMs, ...(opts.pgDump ? { pgDump: opts.pgDump } : {}), ...(migrationsDir ? { migrationsDir } : {}) },
      { reporter: await cliReporter(ctx), signal: ctx.signal },
    ),
  );
  const exit = report.ready ? ExitCode.ok : ExitCode.failed;
  if (opts.json) {
    writeJson(ctx.stdout, { ok: report.ready, ...report });
    return exit;
  }
  const c = colors(ctx.stdout, ctx.env);
  ctx.stdout.write(`Preflight for ${report.target}\n`);
  ctx.stdout.write(renderTable(['check', 'status', 'finding'], report.checks.map((k) => [k.title, statusMark(k.status, c), k.message])));
  for (const k of report.checks.filter((x) => x.status !== 'ok')) {
    ctx.stdout.write(`\n${statusMark(k.status, c)} ${k.title}: ${k.message}\n`);
    if (k.details?.length && k.id !== 'ledger') {
      const keys = Object.keys(k.details[0]!);
      ctx.stdout.write(renderTable(keys, k.details.map((d) => keys.map((key) => d[key] as string | number | null))));
    }
    if (k.hint) ctx.stdout.write(`${c.dim('way out')} ${k.hint}\n`);
  }
  ctx.stdout.write(
    report.ready
      ? `\n${c.green('Ready')}: no blockers${report.warnings ? `, ${report.warnings} warning(s) to read` : ''}.\n`
      : `\n${c.red('Not ready')}: ${report.blockers} blocker(s), ${report.warnings} warning(s).\n`,
  );
  return exit;
}
