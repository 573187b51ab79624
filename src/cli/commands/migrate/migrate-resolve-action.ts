import { migrateBaseline } from '../../../runbook/migrate/migrate-baseline.js';
import { migrateResolve } from '../../../runbook/migrate/migrate-resolve.js';
import { ExitCode } from '../../../shared/exit-codes.js';
import { unwrap } from '../../../shared/failure.js';
import type { CliContext } from '../../context.js';
import { colors, writeJson } from '../../output.js';
import { writingCommand, type MigrateFlags } from './migrate-options.js';

export interface BaselineFlags extends MigrateFlags {
  readonly to?: string;
}

export interface ResolveFlags extends MigrateFlags {
  readonly applied?: string;
  readonly rolledBack?: string;
}

/** `tierctl migrate baseline`: the ledger-only commands share this file (they write no schema). */
export async function migrateBaselineAction(ctx: CliContext, flags: BaselineFlags): Promise<number> {
  const { settings, deps, confirm } = await writingCommand(ctx, flags);
  const report = unwrap(
    await migrateBaseline({ ...settings, to: flags.to }, { ...deps, confirm: (p) => confirm(`record ${p.migrations.join(', ')} as applied on ${p.database}`, p.migrations) }),
  );
  if (flags.json) writeJson(ctx.stdout, { ok: true, ...report });
  else {
    const c = colors(ctx.stdout, ctx.env);
    const { columns, indexes, enums } = report.compared;
    ctx.stdout.write(`Database ${report.database} (schema "${report.schema}"): ${columns} columns, ${indexes} indexes and ${enums} enums match the migrations.\n`);
    if (report.marked.length > 0) ctx.stdout.write(`${c.green('✔')} Recorded as applied (not run): ${report.marked.join(', ')}\n`);
    if (report.alreadyApplied.length > 0) ctx.stdout.write(`Already applied: ${report.alreadyApplied.join(', ')}\n`);
    ctx.stdout.write('Next: tierctl migrate status, then tierctl migrate apply.\n');
  }
  return ExitCode.ok;
}

export async function migrateResolveAction(ctx: CliContext, flags: ResolveFlags): Promise<number> {
  const { settings, deps, confirm } = await writingCommand(ctx, flags);
  const report = unwrap(
    await migrateResolve({ ...settings, applied: flags.applied, rolledBack: flags.rolledBack }, { ...deps, confirm: (p) => confirm(`${p.action} on ${p.database}`, []) }),
  );
  if (flags.json) writeJson(ctx.stdout, { ok: true, ...report });
  else {
    const what = report.action === 'applied' ? 'recorded as applied (not run)' : 'marked as rolled back';
    const aside = report.failedRowsSetAside > 0 ? ` (${report.failedRowsSetAside} failed row${report.failedRowsSetAside > 1 ? 's' : ''} set aside)` : '';
    ctx.stdout.write(`${colors(ctx.stdout, ctx.env).green('✔')} Migration ${report.migration} ${what}${aside}.\n`);
  }
  return ExitCode.ok;
}
