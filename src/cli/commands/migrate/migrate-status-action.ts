import type { ChalkInstance } from 'chalk';
import { migrateStatus, type MigrateStatusReport } from '../../../runbook/migrate/migrate-status.js';
import { ExitCode } from '../../../shared/exit-codes.js';
import { unwrap } from '../../../shared/failure.js';
import type { CliContext } from '../../context.js';
import { colors, writeJson } from '../../output.js';
import { cliReporter } from '../../reporter.js';
import { renderTable } from '../../table.js';
import { migrateSettings, type MigrateFlags } from './migrate-options.js';
import { plural } from './migrate-render.js';

export interface StatusFlags extends MigrateFlags {
  readonly strict?: boolean;
}

/** 0 up to date; 1 not (pending, failed, error-level problem), or with --strict a warning too. */
export function statusExitCode(report: MigrateStatusReport, strict: boolean): ExitCode {
  if (!report.upToDate) return ExitCode.failed;
  return strict && report.problems.length > 0 ? ExitCode.failed : ExitCode.ok;
}

export async function migrateStatusAction(ctx: CliContext, flags: StatusFlags): Promise<number> {
  const settings = await migrateSettings(ctx, flags);
  const report = unwrap(await migrateStatus(settings, { reporter: await cliReporter(ctx) }));
  const code = statusExitCode(report, Boolean(flags.strict));
  if (flags.json) writeJson(ctx.stdout, { ok: code === ExitCode.ok, ...report });
  else ctx.stdout.write(renderStatus(report, colors(ctx.stdout, ctx.env)));
  return code;
}

const STATE_LABEL: Record<string, (c: ChalkInstance) => string> = {
  applied: (c) => c.green('applied'),
  modified: (c) => c.yellow('applied, modified since (checksum)'),
  failed: (c) => c.red('failed'),
  rolled_back: (c) => c.cyan('rolled back (tierctl)'),
  pending: (c) => c.cyan('pending'),
};

/** The report in Prisma's words, with a table of every migration. */
export function renderStatus(r: MigrateStatusReport, c: ChalkInstance): string {
  const out: string[] = [];
  out.push(`Database ${r.database} (schema "${r.schema}")`);
  out.push(`${plural(r.migrations.length, 'migration')} found in ${r.migrationsDir}\n`);
  out.push(
    renderTable(
      ['migration', 'state', 'applied at', 'down.sql'],
      r.migrations.map((m) => [m.name, STATE_LABEL[m.state]!(c), m.appliedAt?.toISOString() ?? '', m.hasDownSql ? 'yes' : 'no']),
    ).trimEnd(),
  );
  const t = r.tierSchema;
  out.push(`Tier schema on models: ${t.state} (columns: ${t.columns.join(', ') || 'none'}; indexes: ${t.indexes.join(', ') || 'none'})\n`);
  for (const p of r.problems) {
    const label = p.level === 'error' ? c.red('error') : c.yellow('warning');
    out.push(`${label} ${p.prisma ? `${p.prisma}: ` : ''}${p.message}\n${c.dim('hint')}  ${p.hint}\n`);
  }
  if (!r.ledgerPresent && r.problems.some((p) => p.code === 'not_managed')) out.push('The current database is not managed by Prisma Migrate.');
  if (r.failed.length > 0) out.push(`Following migration have failed:\n${r.failed.join('\n')}\n`);
  if (r.pending.length > 0) {
    // Never point at `migrate apply` while it would refuse: the hints above are the way out.
    const next = r.applyRefusedBy.length === 0 ? 'To apply migrations run: tierctl migrate apply' : `tierctl migrate apply refuses until the problem${r.applyRefusedBy.length > 1 ? 's' : ''} above (${r.applyRefusedBy.join(', ')}) ${r.applyRefusedBy.length > 1 ? 'are' : 'is'} resolved: follow the hint${r.applyRefusedBy.length > 1 ? 's' : ''}.`;
    out.push(`Following migration${r.pending.length > 1 ? 's' : ''} have not yet been applied:\n${r.pending.join('\n')}\n\n${next}`);
  }
  if (r.upToDate) out.push(c.green('Database schema is up to date!'));
  return `${out.join('\n')}\n`;
}
