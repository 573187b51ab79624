import { dirname, join } from 'node:path';
import { readDumpToc } from '../../db/dump/dump-toc.js';
import { directPgTool, pgToolVersion } from '../../db/dump/pg-tools.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import { digestFile } from './backup-files.js';
import { readManifest, type BackupManifest, type ManifestFile } from './backup-manifest.js';

/**
 * `tierctl backup verify MANIFEST`: is this backup still the one that was written? Every
 * file exists with its recorded size and SHA-256, `pg_restore --list` still reads the
 * dump, and its table of contents still lists the same tables' data. Any difference is a
 * refusal (exit 4): a backup that does not match its manifest must not be restored.
 */
export interface CheckBackupOptions {
  readonly manifestPath: string;
  /** pg_restore to use (default: the one on PATH). */
  readonly pgRestore?: string;
}

export interface FileCheck {
  readonly role: 'dump' | 'modelsCsv';
  readonly path: string;
  readonly expected: { readonly size: number; readonly sha256: string };
  readonly actual: { readonly size: number; readonly sha256: string } | null;
  /** What differs, or null when the file matches. */
  readonly problem: string | null;
}

export interface CheckBackupReport {
  readonly manifestPath: string;
  readonly manifest: BackupManifest;
  readonly files: readonly FileCheck[];
  readonly tocEntries: number;
}

async function checkFile(role: FileCheck['role'], dir: string, entry: ManifestFile): Promise<FileCheck> {
  const path = join(dir, entry.name);
  const expected = { size: entry.size, sha256: entry.sha256 };
  try {
    const actual = await digestFile(path);
    const problems = [
      actual.size !== entry.size ? `size ${actual.size} bytes, manifest says ${entry.size}` : null,
      actual.sha256 !== entry.sha256 ? `sha256 ${actual.sha256}, manifest says ${entry.sha256}` : null,
    ].filter((p): p is string => p !== null);
    return { role, path, expected, actual, problem: problems.length > 0 ? problems.join('; ') : null };
  } catch (e) {
    return { role, path, expected, actual: null, problem: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
}

const refused = (message: string, problems: string[]) =>
  err<never>(failure('backup_mismatch', message, ExitCode.refused, { problems, hint: 'Do not restore this backup: it is not the one that was written. Use another backup.' }));

export async function checkBackup(options: CheckBackupOptions, deps: { reporter: Reporter; signal?: AbortSignal }): Promise<Result<CheckBackupReport>> {
  const read = await readManifest(options.manifestPath);
  if (!read.ok) return read;
  const manifest = read.value;
  const dir = dirname(options.manifestPath);
  const step = deps.reporter.step(`verify ${options.manifestPath}`);
  const entries: [FileCheck['role'], ManifestFile][] = [['dump', manifest.files.dump]];
  if (manifest.files.modelsCsv) entries.push(['modelsCsv', manifest.files.modelsCsv]);
  const files = await Promise.all(entries.map(([role, entry]) => checkFile(role, dir, entry)));
  const bad = files.filter((f) => f.problem !== null);
  if (bad.length > 0) {
    step.fail();
    const problems = bad.map((f) => `${f.path}: ${f.problem}`);
    return refused(`Backup does not match its manifest:\n  ${problems.join('\n  ')}`, problems);
  }
  const pgRestore = options.pgRestore ?? (await directPgTool('pg_restore'));
  const tool = await pgToolVersion(pgRestore, deps.signal ? { signal: deps.signal } : {});
  if (!tool.ok) return tool;
  if (tool.value.major < manifest.pgDumpMajor) {
    step.fail();
    return err(usageFailure('pg_tool_too_old', `${pgRestore} ${tool.value.text} cannot read a dump made by pg_dump ${manifest.pgDumpVersion}`, { hint: 'Use a pg_restore of the same or a newer major version (--pg-restore PATH).' }));
  }
  const dumpPath = join(dir, manifest.files.dump.name);
  const toc = await readDumpToc(pgRestore, dumpPath, deps.signal);
  if (!toc.ok) {
    step.fail();
    return toc.failure.exitCode === ExitCode.refused ? refused(toc.failure.message, [toc.failure.message]) : toc;
  }
  const lost = manifest.toc.tableData.filter((t) => !toc.value.tableData.includes(t));
  const gained = toc.value.tableData.filter((t) => !manifest.toc.tableData.includes(t));
  if (lost.length > 0 || gained.length > 0 || toc.value.entries !== manifest.toc.entries) {
    step.fail();
    const problem = `${dumpPath}: table of contents differs (${toc.value.entries} entries, manifest says ${manifest.toc.entries}; data missing for [${lost.join(', ')}], unexpected [${gained.join(', ')}])`;
    return refused(`Backup does not match its manifest:\n  ${problem}`, [problem]);
  }
  step.succeed(`${files.length} files match, ${toc.value.entries} TOC entries`);
  return ok({ manifestPath: options.manifestPath, manifest, files, tocEntries: toc.value.entries });
}
