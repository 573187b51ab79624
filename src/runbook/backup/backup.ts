import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDumpToc } from '../../db/dump/dump-toc.js';
import { connectClient } from '../../db/pg-connect.js';
import { requireSession } from '../../db/pooler-check.js';
import { checkToolCanDump, directPgTool, execPg, newerPgDumpHint, parsePgVersion, siblingTool, type PgVersion } from '../../db/dump/pg-tools.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, TierctlError, type Result } from '../../shared/failure.js';
import { sessionRedacted, sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { backupNames, checkBackupDir, createPrivateFiles, digestFile, dumpName, manifestName, publish, removeQuietly, tempPath, writeFailure } from './backup-files.js';
import { manifestJson, MANIFEST_FORMAT, type BackupManifest } from './backup-manifest.js';
import { exportSnapshot, readDatabaseState, readServerVersion, type DatabaseState } from './backup-state.js';

/**
 * The guide's pre-deployment steps 4 and 5, verified: `pg_dump -F c` to
 * backup_before_tier_migration_YYYYMMDD_HHMMSS.dump, the models CSV, a check that
 * `pg_restore --list` reads the dump with every table's data in it, and a manifest
 * (sizes, SHA-256, versions, exact row counts, ledger state). Dump, counts and CSV come
 * from one exported snapshot. Files are written under temporary names and linked to their
 * final names only when everything succeeded, never replacing an existing file.
 */
export interface BackupOptions {
  /** pg_dump and the snapshot it shares need a session: the direct URL when there is one. */
  readonly database: DatabaseTarget;
  readonly dir: string;
  /** pg_dump to use (default: the one on PATH); pg_restore is taken from beside it. */
  readonly pgDump?: string;
}

export interface BackupDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export interface BackupReport {
  readonly dir: string;
  readonly manifestPath: string;
  readonly dumpPath: string;
  readonly csvPath: string | null;
  readonly manifest: BackupManifest;
}

const diskFull = (e: { message: string }) => /No space left on device/i.test(e.message);

async function writeOrFail(path: string, data: string, what: string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw new TierctlError(writeFailure(what, e));
  }
}

/** The value of a settled promise, or its rejection rethrown (after every sibling settled). */
function valueOf<T>(s: PromiseSettledResult<T>): T {
  if (s.status === 'rejected') throw s.reason;
  return s.value;
}

/**
 * Runs pg_dump. Its version is not asked beforehand (`pg_dump --version` is a Perl wrapper
 * on Debian, as slow as a small dump): pg_dump refuses a newer server by itself, and that
 * refusal is reported as "too old" (exit 2); the version that wrote the dump is read from
 * its header afterwards.
 */
async function runPgDump(pgDump: string, url: string, file: string, snapshot: string, server: PgVersion, signal?: AbortSignal): Promise<Result<void>> {
  const r = await execPg(pgDump, ['--format=custom', `--file=${file}`, '--no-password', `--snapshot=${snapshot}`], url, signal ? { signal } : {});
  if (r.ok) return ok(undefined);
  if (diskFull(r.failure)) return err(writeFailure('the dump', { code: 'ENOSPC' }));
  if (/server version mismatch/.test(r.failure.message)) {
    const tool = parsePgVersion(/pg_dump version: (\S+)/.exec(r.failure.message)?.[1] ?? '');
    const fits = tool && checkToolCanDump(pgDump, tool, server);
    if (fits && !fits.ok) return err(fits.failure);
    return err(failure('pg_tool_too_old', `${pgDump} cannot dump this PostgreSQL ${server.text} server:\n  ${r.failure.message}`, ExitCode.usage, { hint: newerPgDumpHint(server) }));
  }
  return err(r.failure);
}

export async function backupDatabase(options: BackupOptions, deps: BackupDeps): Promise<Result<BackupReport>> {
  const { dir, database } = options;
  const url = sessionUrl(database);
  const dirOk = await checkBackupDir(dir);
  if (!dirOk.ok) return dirOk;
  // pg_dump sets session settings (search_path '') and holds a snapshot: never through a transaction pooler.
  const session = await requireSession(database, 'tierctl backup (pg_dump)');
  if (!session.ok) return session;
  const pgDump = options.pgDump ?? 'pg_dump';
  const connected = await connectClient(url);
  if (!connected.ok) return connected;
  const client = connected.value;
  const at = (deps.now ?? (() => new Date()))();
  const names = backupNames(at);
  const temps = { dump: tempPath(dir, dumpName(names.base)), csv: tempPath(dir, names.csv), manifest: tempPath(dir, manifestName(names.base)) };
  const published: string[] = [];
  try {
    const server = await readServerVersion(client);
    await createPrivateFiles(Object.values(temps));
    const step = deps.reporter.step(`pg_dump -F c ${sessionRedacted(database)} -> ${join(dir, dumpName(names.base))}`);
    const snapshot = await exportSnapshot(client);
    // Settle both before going on: pg_dump must not outlive this step.
    const settled = await Promise.allSettled([runPgDump(pgDump, url, temps.dump, snapshot, server, deps.signal), readDatabaseState(client, database.schema)]);
    const [dumped, state] = [valueOf(settled[0]), valueOf(settled[1])];
    await client.query('COMMIT');
    if (!dumped.ok) {
      step.fail(dumped.failure.message);
      return dumped;
    }
    step.succeed();
    if (state.modelsCsv) await writeOrFail(temps.csv, state.modelsCsv.csv, names.csv);
    else deps.reporter.warn('No models table: the models CSV (guide step 5) was not written.');
    const manifest = await describeBackup({ database, at, server, state, names, temps, pgRestore: await directPgTool(siblingTool(pgDump, 'pg_restore')), deps });
    await writeOrFail(temps.manifest, manifestJson(manifest), 'the manifest');
    // Publish: dump first (its name decides the manifest's), the manifest last, so a
    // manifest on disk always means a complete backup.
    const dumpFinal = await publish(dir, temps.dump, dumpName(names.base));
    published.push(join(dir, dumpFinal));
    const base = dumpFinal.replace(/\.dump$/, '');
    let csvFinal: string | null = null;
    if (state.modelsCsv) {
      csvFinal = await publish(dir, temps.csv, names.csv);
      published.push(join(dir, csvFinal));
    }
    const final: BackupManifest = { ...manifest, files: { dump: { ...manifest.files.dump, name: dumpFinal }, modelsCsv: manifest.files.modelsCsv && { ...manifest.files.modelsCsv, name: csvFinal! } } };
    if (dumpFinal !== dumpName(names.base) || csvFinal !== names.csv) await writeOrFail(temps.manifest, manifestJson(final), 'the manifest');
    await publish(dir, temps.manifest, manifestName(base), true);
    deps.reporter.info(`Backup complete: ${join(dir, manifestName(base))}`);
    return ok({ dir, manifestPath: join(dir, manifestName(base)), dumpPath: join(dir, dumpFinal), csvPath: csvFinal && join(dir, csvFinal), manifest: final });
  } catch (e) {
    await removeQuietly(published);
    if (e instanceof TierctlError) return err(e.failure);
    if ((e as NodeJS.ErrnoException).code) return err(writeFailure(`the backup in ${dir}`, e));
    throw e;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
    await removeQuietly(Object.values(temps));
  }
}

interface DescribeInput {
  readonly database: DatabaseTarget;
  readonly at: Date;
  readonly server: PgVersion;
  readonly state: DatabaseState;
  readonly names: ReturnType<typeof backupNames>;
  readonly temps: { readonly dump: string; readonly csv: string };
  readonly pgRestore: string;
  readonly deps: BackupDeps;
}

/** Verifies the dump with `pg_restore --list` and builds the manifest (file names still the intended ones). */
async function describeBackup(i: DescribeInput): Promise<BackupManifest> {
  const step = i.deps.reporter.step('verify the dump (pg_restore --list) and checksum the files');
  const [toc, dump, csv] = await Promise.all([
    readDumpToc(i.pgRestore, i.temps.dump, i.deps.signal),
    digestFile(i.temps.dump),
    i.state.modelsCsv ? digestFile(i.temps.csv) : Promise.resolve(null),
  ]);
  if (!toc.ok) {
    step.fail(toc.failure.message);
    throw new TierctlError({ ...toc.failure, exitCode: toc.failure.exitCode === ExitCode.refused ? ExitCode.failed : toc.failure.exitCode });
  }
  const missing = Object.keys(i.state.rowCounts).filter((t) => !toc.value.tableData.includes(t));
  if (missing.length > 0) {
    step.fail();
    throw new TierctlError(failure('dump_incomplete', `The dump has no TABLE DATA for: ${missing.join(', ')}`, ExitCode.failed));
  }
  step.succeed(`${toc.value.entries} entries, ${toc.value.tableData.length} tables with data, ${dump.size} bytes`);
  return {
    format: MANIFEST_FORMAT,
    createdAt: i.at.toISOString(),
    database: i.state.database,
    identity: i.state.identity,
    url: sessionRedacted(i.database),
    serverVersion: i.server.text,
    pgDumpVersion: toc.value.dumpedBy?.text ?? 'unknown',
    pgDumpMajor: toc.value.dumpedBy?.major ?? i.server.major,
    databaseSizeBytes: i.state.sizeBytes,
    files: { dump: { name: dumpName(i.names.base), ...dump }, modelsCsv: csv && { name: i.names.csv, ...csv } },
    toc: { entries: toc.value.entries, tableData: [...toc.value.tableData] },
    rowCounts: i.state.rowCounts,
    ledger: i.state.ledger,
    tierSchema: i.state.tierSchema,
    modelCount: i.state.modelsCsv?.rows ?? null,
  };
}
