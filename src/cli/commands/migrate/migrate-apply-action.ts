import type { ChalkInstance } from 'chalk';
import { migrateDeployLines } from '../../../runbook/guide-output.js';
import { migrateApply, type MigrateApplyReport } from '../../../runbook/migrate/migrate-apply.js';
import { ExitCode } from '../../../shared/exit-codes.js';
import { unwrap } from '../../../shared/failure.js';
import type { CliContext } from '../../context.js';
import { colors, writeJson } from '../../output.js';
import { renderTable } from '../../table.js';
import { writingCommand, type MigrateFlags } from './migrate-options.js';
import { plural, renderPlannedScript, renderSessions, renderTierSchemaCheck } from './migrate-render.js';

export interface ApplyFlags extends MigrateFlags {
  readonly dryRun?: boolean;
}

export async function migrateApplyAction(ctx: CliContext, flags: ApplyFlags): Promise<number> {
  const { settings, deps, confirm } = await writingCommand(ctx, flags);
  const report = unwrap(
    await migrateApply({ ...settings, dryRun: Boolean(flags.dryRun) }, { ...deps, confirm: (plan) => confirm(`apply ${plural(plan.pending.length, 'migration')} to ${plan.database}`, plan.pending) }),
  );
  if (!flags.json) ctx.stdout.write(renderApply(report, settings.migrationsDir, colors(ctx.stdout, ctx.env)));
  else {
    // The guide's step 4 lines go to stderr, so stdout stays one JSON document.
    const guide = guideLines(report, settings.migrationsDir);
    if (!report.dryRun) ctx.stderr.write(`${[...guide.head, guide.last].join('\n')}\n`);
    writeJson(ctx.stdout, { ok: true, ...report });
  }
  return ExitCode.ok;
}

/** The guide's step 4 output of a real run: every migration found, the ones this run applied. */
const guideLines = (r: MigrateApplyReport, migrationsDir: string | undefined) =>
  migrateDeployLines(r.applied.length + r.alreadyApplied.length, migrationsDir, r.applied.map((a) => a.name));

/** A dry run: the annotated SQL. A real run: the guide's step 4 lines around tierctl's tables (locks held, step 5's catalog check). */
export function renderApply(r: MigrateApplyReport, migrationsDir: string | undefined, c: ChalkInstance): string {
  const out: string[] = [`Database ${r.database} (schema "${r.schema}")\n`];
  if (r.dryRun) {
    if (r.plan.length === 0) out.push('No pending migrations to apply.\n');
    for (const script of r.plan) out.push(renderPlannedScript(script, 'would apply', c));
    if (r.plan.length > 0) out.push(c.dim(`Dry run: nothing was changed. Each migration would run in one transaction with SET LOCAL lock_timeout, so each lock above is held until that migration's COMMIT.\n`));
    return out.join('');
  }
  if (r.waitedFor.length > 0) out.push(`Waited ${r.lockWaitMs} ms for the migration lock, held by:\n${renderSessions(r.waitedFor)}`);
  const guide = guideLines(r, migrationsDir);
  out.push(guide.head.map((line) => `${line}\n`).join(''));
  if (r.applied.length > 0) {
    out.push(renderTable(['migration', 'locks held (ms)', 'attempts', 'ledger row'], r.applied.map((a) => [a.name, a.heldMs, a.attempts, a.id])));
  }
  if (r.tierSchema) out.push(r.applied.length > 0 || !r.tierSchema.ok ? renderTierSchemaCheck(r.tierSchema, c) : `${c.green('✔')} models has the guide's tier columns and indexes (step 5)\n`);
  out.push(c.green(`${guide.last}\n`));
  return out.join('');
}
