import { restoreBackup, type RestorePlan } from '../../runbook/backup/restore-backup.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { resolveConfig } from '../../shared/config.js';
import { unwrap } from '../../shared/failure.js';
import { durationFlag } from '../../shared/settings.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { colors, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import type { RestoreFlags } from './restore.js';

function planLines(plan: RestorePlan): string[] {
  const m = plan.manifest;
  const lines = [`Backup: ${m.files.dump.name}, taken ${m.createdAt} from ${m.database} (ledger: last applied ${m.ledger.lastApplied ?? 'none'}; tier schema ${m.tierSchema})`];
  lines.push(plan.createsDatabase ? `Into NEW database ${plan.target}` : `Into ${plan.target}: these tables are DROPPED and replaced by the backup's`);
  for (const t of plan.tables) lines.push(`  ${t.table}: ${t.currentRows === null ? '(absent)' : `${t.currentRows} rows now`} -> ${t.backupRows} rows`);
  for (const t of plan.leftInPlace) lines.push(`  ${t}: not in the backup, left as it is`);
  return lines;
}

export async function restoreAction(ctx: CliContext, manifestPath: string, opts: RestoreFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const { lockTimeoutMs } = unwrap(resolveConfig({ lockTimeoutMs: durationFlag('lockTimeout', true) }, ctx.sources({ ...opts })));
  const reporter = await cliReporter(ctx);
  const confirm = async (plan: RestorePlan) => {
    for (const line of planLines(plan)) reporter.info(line);
    // A new database replaces nothing: no question to ask.
    await confirmOrRefuse(ctx, { yes: Boolean(opts.yes) || plan.createsDatabase, action: `replace the contents of ${plan.target} with ${plan.manifest.files.dump.name}` });
    return true;
  };
  const report = unwrap(
    await restoreBackup(
      {
        manifestPath,
        database,
        lockTimeoutMs,
        noOwner: !opts.owner,
        ...(opts.toDatabase !== undefined ? { toDatabase: opts.toDatabase } : {}),
        ...(opts.pgRestore ? { pgRestore: opts.pgRestore } : {}),
      },
      { reporter, signal: ctx.signal, confirm },
    ),
  );
  if (opts.json) {
    writeJson(ctx.stdout, { ok: true, ...report });
    return ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  ctx.stdout.write(renderTable(['table', 'rows in backup', 'rows restored'], report.counts.map((x) => [x.table, x.expected, x.actual])));
  ctx.stdout.write(`${c.green('Restored')} ${report.plan.manifest.files.dump.name} into ${report.plan.target}; every row count matches the manifest.\n`);
  return ExitCode.ok;
}
