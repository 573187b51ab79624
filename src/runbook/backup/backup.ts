import type pg from 'pg';
import { join } from 'node:path';
import { readDumpToc } from '../../db/dump/dump-toc.js';
import { sessionClient } from '../../db/pooler-check.js';
import { checkToolCanDump, directPgTool, execPg, newerPgDumpHint, parsePgVersion, siblingTool, type PgVersion } from '../../db/dump/pg-tools.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, TierctlError, type Result } from '../../shared/failure.js';
import { sessionRedacted, sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { backupNames, checkBackupDir, createPrivateFiles, digestFile, dumpName, manifestName, publish, removeQuietly, syncDir, tempPath, writeDurably, writeFailure, type FileDigest } from './backup-files.js';
import { manifestJson, MANIFEST_FORMAT, type BackupManifest } from './backup-manifest.js';
import { exportSnapshot, readDatabaseState, type DatabaseState } from './backup-state.js';

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
  /** pg_dump to use (default: the one on PATH, or on Debian the newest installed, as its pg_wrapper picks); pg_restore is taken from beside it. */
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
    await writeDurably(path, data);
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
  // pg_dump sets session settings (search_path '') and holds a snapshot: never through a
  // transaction pooler. The probe's session connection is the one the snapshot is taken on.
  const [dirOk, session, tools] = await Promise.all([checkBackupDir(dir), sessionClient(database, 'tierctl backup (pg_dump)'), pgToolsToRun(options.pgDump)]);
  if (!dirOk.ok) {
    if (session.ok) await session.value.end().catch(() => {});
    return dirOk;
  }
  if (!session.ok) return session;
  const client = session.value;
  let closing: Promise<void> | null = null;
  const at = (deps.now ?? (() => new Date()))();
  const names = backupNames(at);
  const temps = { dump: tempPath(dir, dumpName(names.base)), csv: tempPath(dir, names.csv), manifest: tempPath(dir, manifestName(names.base)) };
  const published: string[] = [];
  try {
    const [{ snapshot, server }] = await Promise.all([exportSnapshot(client), createPrivateFiles(Object.values(temps))]);
    const step = deps.reporter.step(`pg_dump -F c ${sessionRedacted(database)} -> ${join(dir, dumpName(names.base))}`);
    // While pg_dump runs: the counts, ledger and CSV in its snapshot, the CSV written to
    // disk and checksummed. Settle both before going on: pg_dump must not outlive this step.
    const settled = await Promise.allSettled([runPgDump(tools.pgDump, url, temps.dump, snapshot, server, deps.signal), readStateAndCsv(client, database.schema, temps.csv, names.csv)]);
    // The snapshot is no longer needed: the connection closes while the dump is verified.
    closing = client.end().catch(() => {});
    const [dumped, { state, csvDigest }] = [valueOf(settled[0]), valueOf(settled[1])];
    if (!dumped.ok) {
      step.fail(dumped.failure.message);
      return dumped;
    }
    step.succeed();
    if (!state.modelsCsv) deps.reporter.warn('No models table: the models CSV (guide step 5) was not written.');
    const manifest = await describeBackup({ database, at, server, state, names, temps, csvDigest, pgRestore: tools.pgRestore, deps });
    // Publish: dump first (its name decides the manifest's), the manifest last, so a
    // manifest on disk always means a complete backup. pg_dump synced the dump's data
    // itself; the CSV's and the manifest's are synced here, and the directory before the
    // manifest's name appears and after, so that the order holds after a crash too.
    const publishData = async () => {
      const dumpFinal = await publish(dir, temps.dump, dumpName(names.base));
      published.push(join(dir, dumpFinal));
      const csvFinal = state.modelsCsv ? await publish(dir, temps.csv, names.csv) : null;
      if (csvFinal) published.push(join(dir, csvFinal));
      await syncDir(dir);
      return { dumpFinal, csvFinal };
    };
    const written = await Promise.allSettled([publishData(), writeOrFail(temps.manifest, manifestJson(manifest), 'the manifest')]);
    const { dumpFinal, csvFinal } = valueOf(written[0]);
    valueOf(written[1]);
    const base = dumpFinal.replace(/\.dump$/, '');
    const final: BackupManifest = { ...manifest, files: { dump: { ...manifest.files.dump, name: dumpFinal }, modelsCsv: manifest.files.modelsCsv && { ...manifest.files.modelsCsv, name: csvFinal! } } };
    if (dumpFinal !== dumpName(names.base) || csvFinal !== names.csv) await writeOrFail(temps.manifest, manifestJson(final), 'the manifest');
    await publish(dir, temps.manifest, manifestName(base), true);
    await syncDir(dir);
    deps.reporter.info(`Backup complete: ${join(dir, manifestName(base))}`);
    return ok({ dir, manifestPath: join(dir, manifestName(base)), dumpPath: join(dir, dumpFinal), csvPath: csvFinal && join(dir, csvFinal), manifest: final });
  } catch (e) {
    await removeQuietly(published);
    if (e instanceof TierctlError) return err(e.failure);
    if ((e as NodeJS.ErrnoException).code) return err(writeFailure(`the backup in ${dir}`, e));
    throw e;
  } finally {
    await (closing ?? client.end().catch(() => {}));
    await removeQuietly(Object.values(temps));
  }
}

/**
 * pg_dump as given, else the one on PATH, and pg_restore from beside it. On Debian the
 * one on PATH is pg_wrapper, a Perl script (~30 ms a start) that, with PGHOST set as
 * tierctl always sets it, runs the newest installed version: that one is run directly.
 */
async function pgToolsToRun(given: string | undefined): Promise<{ readonly pgDump: string; readonly pgRestore: string }> {
  const pgDump = given ?? (await directPgTool('pg_dump'));
  return { pgDump, pgRestore: await directPgTool(siblingTool(pgDump, 'pg_restore')) };
}

/** The manifest's view of the database, and the models CSV written (synced) and checksummed. */
async function readStateAndCsv(client: pg.ClientBase, schema: string, csvPath: string, csvName: string): Promise<{ state: DatabaseState; csvDigest: FileDigest | null }> {
  const state = await readDatabaseState(client, schema);
  if (!state.modelsCsv) return { state, csvDigest: null };
  await writeOrFail(csvPath, state.modelsCsv.csv, csvName);
  return { state, csvDigest: await digestFile(csvPath) };
}

interface DescribeInput {
  readonly database: DatabaseTarget;
  readonly at: Date;
  readonly server: PgVersion;
  readonly state: DatabaseState;
  readonly names: ReturnType<typeof backupNames>;
  readonly temps: { readonly dump: string };
  readonly csvDigest: FileDigest | null;
  readonly pgRestore: string;
  readonly deps: BackupDeps;
}

/** Verifies the dump with `pg_restore --list` and builds the manifest (file names still the intended ones). */
async function describeBackup(i: DescribeInput): Promise<BackupManifest> {
  const step = i.deps.reporter.step('verify the dump (pg_restore --list) and checksum the files');
  const [toc, dump] = await Promise.all([readDumpToc(i.pgRestore, i.temps.dump, i.deps.signal), digestFile(i.temps.dump)]);
  const csv = i.csvDigest;
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
