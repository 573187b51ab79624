import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { stderrTail } from '../../shared/exec.js';
import { PG_CLIENT_HINT, withLibpqEnv } from './pg-tools.js';

/**
 * Restores a custom-format dump into a new database with `pg_restore --no-owner --no-acl`,
 * fed through this process so the bytes can be counted: from a dump file, or straight
 * from `pg_dump` of a live database (`pg_dump | pg_restore`, nothing written to disk).
 * Progress comes from pg_restore's `--verbose` lines (tables whose data is loaded) and
 * the byte count. Both programs get only the environment they need (PATH, locale, and
 * libpq's variables; passwords through a passfile), never this process's environment.
 */
export type DumpFeed = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'pg_dump'; readonly pgDump: string; readonly sourceUrl: string };

export interface RestoreProgress {
  /** Tables whose data pg_restore has finished loading. */
  readonly tablesDone: number;
  readonly bytes: number;
  /** What pg_restore is doing now: `data public.api_logs`, `index public.api_logs_created_at_idx`, ... */
  readonly doing: string | null;
}

export interface RestoreStreamOptions {
  readonly feed: DumpFeed;
  readonly pgRestore: string;
  /** The new database's URL (the connection) and name. */
  readonly targetUrl: string;
  readonly targetDatabase: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RestoreProgress) => void;
}

export interface RestoreStreamReport {
  readonly bytes: number;
  readonly tables: number;
  readonly durationMs: number;
  /** Until the last table's data was loaded; the rest is building indexes and constraints. */
  readonly dataMs: number;
}

const VERBOSE = /^pg_restore: (processing data for table|creating (?:INDEX|CONSTRAINT|FK CONSTRAINT|TRIGGER)) "(.+)"$/;
const KEEP_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ', 'HOME', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY', 'PGSERVICEFILE', 'PGSYSCONFDIR'];

/** PATH and locale of this process (libpq's own file settings too), nothing else: no DATABASE_URL, no secrets. */
export function childBaseEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(KEEP_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
}

const conninfoDbname = (name: string) => `dbname='${name.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error: NodeJS.ErrnoException | null }> {
  return new Promise((resolve) => {
    let error: NodeJS.ErrnoException | null = null;
    child.on('error', (e) => (error = e));
    child.on('close', (code, signal) => resolve({ code, signal, error }));
  });
}

function collect(child: ChildProcess, onLine?: (line: string) => void): () => string {
  let text = '';
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    const s = d.toString();
    text = (text + s).slice(-20_000);
    if (!onLine) return;
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  return () => text;
}

function programFailure(what: string, run: { code: number | null; signal: NodeJS.Signals | null; error: NodeJS.ErrnoException | null }, stderr: string): Failure {
  if (run.error?.code === 'ENOENT') return failure('command_not_found', `${what}: not found`, ExitCode.usage, { hint: PG_CLIENT_HINT });
  if (/server version mismatch/.test(stderr)) {
    return failure('pg_tool_too_old', `${what} cannot dump this server:\n  ${stderrTail(stderr)}`, ExitCode.usage, { hint: PG_CLIENT_HINT });
  }
  const how = run.code === null ? `was killed by ${run.signal}` : `exited with ${run.code}`;
  const denied = what === 'pg_dump' && /permission denied/.test(stderr);
  return failure('command_failed', `${what} ${how}:\n  ${stderrTail(stderr).replaceAll('\n', '\n  ')}`, ExitCode.failed, denied ? { hint: "pg_dump reads every table of the source: use a role that may (the owner, or a member of pg_read_all_data)." } : {});
}

export async function restoreStream(o: RestoreStreamOptions, baseEnv: Record<string, string>): Promise<Result<RestoreStreamReport>> {
  const started = performance.now();
  return withLibpqEnv(o.targetUrl, (targetEnv) => {
    const restoreArgs = ['--verbose', '--no-owner', '--no-acl', '--exit-on-error', '--no-password', `--dbname=${conninfoDbname(o.targetDatabase)}`];
    const start = (sourceEnv: Record<string, string | undefined> | null) => run(o, baseEnv, targetEnv, sourceEnv, restoreArgs, started);
    return o.feed.kind === 'pg_dump' ? withLibpqEnv(o.feed.sourceUrl, (sourceEnv) => start(sourceEnv)) : start(null);
  });
}

async function run(
  o: RestoreStreamOptions,
  baseEnv: Record<string, string>,
  targetEnv: Record<string, string | undefined>,
  sourceEnv: Record<string, string | undefined> | null,
  restoreArgs: string[],
  started: number,
): Promise<Result<RestoreStreamReport>> {
  let bytes = 0;
  let tablesDone = 0;
  let loading: string | null = null;
  let doing: string | null = null;
  let dataEnd = 0;
  const report = () => o.onProgress?.({ tablesDone, bytes, doing });
  const restore = spawn(o.pgRestore, restoreArgs, { env: { ...baseEnv, ...clean(targetEnv) }, stdio: ['pipe', 'ignore', 'pipe'] });
  const restoreStderr = collect(restore, (line) => {
    const m = VERBOSE.exec(line);
    if (!m) return;
    if (loading) {
      tablesDone += 1;
      dataEnd = performance.now();
    }
    loading = m[1] === 'processing data for table' ? m[2]! : null;
    doing = `${loading ? 'data' : m[1]!.replace('creating ', '').toLowerCase()} ${m[2]}`;
    report();
  });
  const restoreDone = finished(restore);
  const dump = o.feed.kind === 'pg_dump'
    ? spawn(o.feed.pgDump, ['--format=custom', '--compress=0', '--no-password'], { env: { ...baseEnv, ...clean(sourceEnv!) }, stdio: ['ignore', 'pipe', 'pipe'] })
    : null;
  const dumpStderr = dump ? collect(dump) : () => '';
  const dumpDone = dump ? finished(dump) : null;
  const source = dump ? dump.stdout! : createReadStream((o.feed as { path: string }).path);
  let sourceError: Error | null = null;
  source.on('error', (e: Error) => {
    sourceError = e;
    restore.kill('SIGTERM'); // it would wait for the rest of its input forever
  });
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  restore.stdin!.on('error', () => {}); // pg_restore gone early: its exit status says why
  source.pipe(restore.stdin!);
  const stop = () => {
    dump?.kill('SIGTERM');
    restore.kill('SIGTERM');
  };
  o.signal?.addEventListener('abort', stop, { once: true });
  const ticker = setInterval(report, 500);
  try {
    const [r, d] = await Promise.all([restoreDone, dumpDone]);
    if (o.signal?.aborted) return err(failure('interrupted', 'Interrupted while copying the database (pg_restore stopped; the sandbox is dropped)', ExitCode.interrupted));
    if (sourceError) return err(failure('dump_unreadable', `Cannot read the dump: ${(sourceError as Error).message}`, ExitCode.failed));
    const restoreFailed = r.code !== 0 || r.error !== null;
    const dumpFailed = d !== null && (d.code !== 0 || d.error !== null);
    // Whichever stopped first is the cause: pg_restore failing makes pg_dump's pipe break; pg_dump failing cuts pg_restore's input short.
    if (dumpFailed && (!restoreFailed || /end of file|could not read input|unexpected EOF|too short|did not find magic string/i.test(restoreStderr()))) return err(programFailure('pg_dump', d, dumpStderr()));
    if (restoreFailed) return err(programFailure('pg_restore', r, restoreStderr()));
    const end = performance.now();
    if (loading) {
      tablesDone += 1;
      dataEnd = end;
    }
    doing = null;
    report();
    return ok({ bytes, tables: tablesDone, durationMs: Math.round(end - started), dataMs: Math.round((dataEnd || end) - started) });
  } finally {
    clearInterval(ticker);
    o.signal?.removeEventListener('abort', stop);
  }
}

const clean = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
