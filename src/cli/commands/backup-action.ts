import { backupDatabase } from '../../runbook/backup/backup.js';
import { checkBackup } from '../../runbook/backup/check-backup.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { colors, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import type { BackupFlags, BackupVerifyFlags } from './backup.js';

export async function backupAction(ctx: CliContext, opts: BackupFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const report = unwrap(
    await backupDatabase({ database, dir: opts.dir, ...(opts.pgDump ? { pgDump: opts.pgDump } : {}) }, { reporter: await cliReporter(ctx), signal: ctx.signal }),
  );
  if (opts.json) {
    writeJson(ctx.stdout, { ok: true, ...report });
    return ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  const m = report.manifest;
  ctx.stdout.write(`${c.green('Backup written and verified')} (${m.database}, PostgreSQL ${m.serverVersion}, pg_dump ${m.pgDumpVersion})\n`);
  const files = [m.files.dump, ...(m.files.modelsCsv ? [m.files.modelsCsv] : [])];
  ctx.stdout.write(renderTable(['file', 'bytes', 'sha256'], [...files.map((f) => [f.name, f.size, f.sha256]), [report.manifestPath.split('/').at(-1), '', '(manifest)']]));
  ctx.stdout.write(renderTable(['table', 'rows'], Object.entries(m.rowCounts)));
  ctx.stdout.write(`Ledger: ${m.ledger.present ? `last applied ${m.ledger.lastApplied ?? '(none)'}` : 'no _prisma_migrations table'}; tier schema ${m.tierSchema}\n`);
  ctx.stdout.write(`Manifest: ${report.manifestPath}\nStore these files securely (S3, backup server...): they hold password hashes.\n`);
  return ExitCode.ok;
}

export async function backupVerifyAction(ctx: CliContext, manifestPath: string, opts: BackupVerifyFlags): Promise<number> {
  const report = unwrap(await checkBackup({ manifestPath, ...(opts.pgRestore ? { pgRestore: opts.pgRestore } : {}) }, { reporter: await cliReporter(ctx), signal: ctx.signal }));
  if (opts.json) {
    writeJson(ctx.stdout, { ok: true, ...report });
    return ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  ctx.stdout.write(renderTable(['file', 'bytes', 'sha256', 'status'], report.files.map((f) => [f.path, f.actual?.size, f.actual?.sha256, 'matches'])));
  ctx.stdout.write(`${c.green('Backup verified')}: ${report.tocEntries} table-of-contents entries readable by pg_restore, taken ${report.manifest.createdAt} from ${report.manifest.url}\n`);
  return ExitCode.ok;
}
