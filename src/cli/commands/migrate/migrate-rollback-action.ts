import type { ChalkInstance } from 'chalk';
import { migrateDown, nothingAppliedAfter, type MigrateDownReport } from '../../../runbook/migrate/migrate-down.js';
import { ExitCode } from '../../../shared/exit-codes.js';
import { unwrap } from '../../../shared/failure.js';
import { confirmOrRefuse } from '../../confirm.js';
import type { CliContext } from '../../context.js';
import { colors, writeJson } from '../../output.js';
import { renderTable } from '../../table.js';
import { writingCommand, type MigrateFlags } from './migrate-options.js';
import { plural, renderPlannedScript, renderSessions, renderTierSchemaCheck } from './migrate-render.js';

export interface MigrateRollbackFlags extends MigrateFlags {
  readonly to?: string;
  readonly acceptLoss?: boolean;
  readonly backup?: string;
  readonly reason?: string;
  readonly dryRun?: boolean;
  readonly allowEditedDown?: string[];
}

export async function migrateRollbackAction(ctx: CliContext, flags: MigrateRollbackFlags): Promise<number> {
  // Not `confirm` (remote only): a rollback asks on a local database too.
  const { settings, deps } = await writingCommand(ctx, flags);
  const report = unwrap(
    await migrateDown(
      { ...settings, to: flags.to, acceptLoss: Boolean(flags.acceptLoss), backupManifest: flags.backup, reason: flags.reason, dryRun: Boolean(flags.dryRun), allowEditedDown: flags.allowEditedDown ?? [] },
      {
        ...deps,
        confirm: (plan) =>
          confirmOrRefuse(ctx, {
            yes: Boolean(flags.yes),
            action: `roll back ${plural(plan.migrations.length, 'migration')} on ${plan.database}`,
            details: [
              ...plan.migrations.map((m) => `down.sql of ${m}`),
              `back to: ${plan.target ?? 'before every migration'}`,
              plan.modelsWithTierData.length > 0
                ? `drops the tier settings of ${plural(plan.modelsWithTierData.length, 'model')} (${plan.allowedBy === 'backup' ? 'a verified backup holds them' : '--accept-loss'})`
                : 'no model has non-default tier settings: nothing is lost',
            ],
          }),
      },
    ),
  );
  const code = report.refusal ? report.refusal.exitCode : ExitCode.ok;
  if (flags.json) writeJson(ctx.stdout, { ok: code === ExitCode.ok, ...report });
  else ctx.stdout.write(renderMigrateRollback(report, colors(ctx.stdout, ctx.env)));
  return code;
}

export function renderMigrateRollback(r: MigrateDownReport, c: ChalkInstance): string {
  const out: string[] = [`Database ${r.database} (schema "${r.schema}")\n`];
  const lost = r.modelsWithTierData;
  const lossTable = () => renderTable(['model', 'required_tier', 'mode', 'allowed_tiers'], lost.map((m) => [m.id, m.requiredTier, m.tierRestrictionMode, m.allowedTiers?.join(',')]));
  if (r.dryRun) {
    if (r.plan.length === 0) out.push('Nothing to roll back.\n');
    for (const script of r.plan) out.push(renderPlannedScript(script, 'would run down.sql of', c));
    if (lost.length > 0) out.push(`Would drop the tier settings of ${plural(lost.length, 'model')} (${r.allowedBy ? `allowed by ${r.allowedBy}` : 'not allowed'}):\n${lossTable()}`);
    if (r.refusal) out.push(`${c.red('The rollback would be refused:')} ${r.refusal.message}\n${c.dim('hint')}  ${r.refusal.hint ?? ''}\n`);
    out.push(c.dim('Dry run: nothing was changed.\n'));
    return out.join('');
  }
  if (r.waitedFor.length > 0) out.push(`Waited ${r.lockWaitMs} ms for the migration lock, held by:\n${renderSessions(r.waitedFor)}`);
  if (r.rolledBack.length === 0) out.push(`Nothing to roll back: ${nothingAppliedAfter(r.target)}.\n`);
  else {
    out.push(`Rolled back in one transaction (models locked ${r.heldMs} ms${r.attempts > 1 ? `, ${r.attempts} attempts` : ''}), newest first:\n`);
    out.push(renderTable(['migration', 'ledger rows', 'audit'], r.rolledBack.map((n) => [n, 'deleted', '_tierctl_migration_rollbacks'])));
    out.push(`The database is back at ${r.target ?? 'its initial state'}.\n`);
    if (lost.length > 0) out.push(`${c.yellow('!')} Dropped the tier settings of ${plural(lost.length, 'model')} (allowed by ${r.allowedBy}${r.backup ? `: ${r.backup.manifest}` : ''}):\n${lossTable()}`);
  }
  if (r.tierSchema) out.push(renderTierSchemaCheck(r.tierSchema, c));
  return out.join('');
}
