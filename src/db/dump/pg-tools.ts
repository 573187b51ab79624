import { access, chmod, constants, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { execOk, findOnPath, type ExecOptions, type ExecResult } from '../../shared/exec.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';

/**
 * Running PostgreSQL's client programs (pg_dump, pg_restore) against a database URL
 * without ever putting the password on their argv: the connection goes through libpq's
 * environment (PGHOST, PGPORT, ...) and the password through a temporary passfile (mode
 * 0600, removed afterwards). Nothing about the connection appears on the command line.
 */
export interface PgVersion {
  readonly major: number;
  readonly minor: number;
  /** The text as the program or server printed it, e.g. `15.20`. */
  readonly text: string;
}

export const PG_CLIENT_HINT = 'Install the PostgreSQL client programs (e.g. apt-get install postgresql-client-NN, NN >= the server\'s major version) or pass their path.';

/** Parses `pg_dump (PostgreSQL) 15.20 (Debian ...)` or `16beta1`; null when it is not a PostgreSQL tool. */
export function parsePgVersion(text: string): PgVersion | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text) ?? /^(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), text: `${m[1]}${m[2] !== undefined ? `.${m[2]}` : ''}` };
}

/** The server's version from `server_version_num` (e.g. 150020 -> 15.20). */
export function serverVersion(versionNum: number): PgVersion {
  const major = Math.floor(versionNum / 10000);
  const minor = versionNum % 10000;
  return { major, minor, text: `${major}.${minor}` };
}

/** `pg_restore` beside a given `pg_dump` path (same installation), or the one on PATH. */
export function siblingTool(pgDump: string, tool: string): string {
  return pgDump.includes('/') ? join(dirname(pgDump), tool) : tool;
}

const DEBIAN_WRAPPER = '/usr/share/postgresql-common/pg_wrapper';
const DEBIAN_VERSIONS = '/usr/lib/postgresql';

/**
 * On Debian and Ubuntu, a client program on PATH is postgresql-common's pg_wrapper, a Perl
 * script costing ~30 ms per start before it runs /usr/lib/postgresql/N/bin/TOOL. With PGHOST
 * set (tierctl always sets it) the wrapper runs the newest installed version of the tool,
 * so when the tool PATH finds is that wrapper, the newest one is run directly. Elsewhere,
 * for another program first on PATH, for none, or for an explicit path: the name as given.
 */
export async function directPgTool(tool: string): Promise<string> {
  if (tool.includes('/')) return tool;
  try {
    const onPath = await findOnPath(tool);
    if (onPath === null || (await realpath(onPath)) !== DEBIAN_WRAPPER) return tool;
    const majors = (await readdir(DEBIAN_VERSIONS)).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const direct = join(DEBIAN_VERSIONS, major, 'bin', tool);
      if (await access(direct, constants.X_OK).then(() => true, () => false)) return direct;
    }
  } catch {
    // not the Debian layout
  }
  return tool;
}

/** Runs `tool --version`; a missing binary is exit 2 with a hint. */
export async function pgToolVersion(tool: string, options: Pick<ExecOptions, 'signal'> = {}): Promise<Result<PgVersion>> {
  const r = await execOk(tool, ['--version'], { ...options, timeoutMs: 10_000, missingHint: PG_CLIENT_HINT });
  if (!r.ok) return r;
  const v = parsePgVersion(r.value.stdout);
  if (!v) return err(failure('pg_tool_unrecognised', `${tool} --version printed "${r.value.stdout.trim()}", not a PostgreSQL version`, ExitCode.usage));
  return ok(v);
}

/** The way out when the pg_dump at hand is older than the server: which one to get, and the flag that takes it. */
export const newerPgDumpHint = (server: PgVersion): string =>
  `Install pg_dump ${server.major} or newer (e.g. apt-get install postgresql-client-${server.major}) and pass it with --pg-dump PATH ` +
  `(e.g. --pg-dump /usr/lib/postgresql/${server.major}/bin/pg_dump; pg_restore is taken from beside it).`;

/** A tool whose major version is older than the server's cannot dump it (pg_dump refuses). */
export function checkToolCanDump(tool: string, toolVersion: PgVersion, server: PgVersion): Result<PgVersion> {
  if (toolVersion.major >= server.major) return ok(toolVersion);
  return err(
    failure('pg_tool_too_old', `${basename(tool)} ${toolVersion.text} cannot dump a PostgreSQL ${server.text} server (needs major version >= ${server.major})`, ExitCode.usage, {
      hint: newerPgDumpHint(server),
    }),
  );
}

/** Escapes a passfile field (`:` and `\`). */
const passfileField = (s: string) => s.replaceAll('\\', '\\\\').replaceAll(':', '\\:');

/** libpq's environment for `url`, and the password (if any) for the passfile. */
export function libpqEnv(url: string): { env: Record<string, string>; password: string | null } {
  const u = new URL(url);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1')) || 'localhost',
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres',
    PGAPPNAME: 'tierctl',
  };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  const host = u.searchParams.get('host');
  if (host) env.PGHOST = host; // a Unix socket directory: postgresql://user@/db?host=/var/run/postgresql
  return { env, password: u.password ? decodeURIComponent(u.password) : null };
}

/**
 * Calls `fn` with the environment a libpq program needs to reach `url`. With a password,
 * it is written to a fresh passfile (directory 0700, file 0600) named by PGPASSFILE, and
 * the file is removed when `fn` settles, whatever happens. PGPASSWORD is never set
 * (and an inherited one is cleared) so the password is not in the child's environment.
 */
export async function withLibpqEnv<T>(url: string, fn: (env: Record<string, string | undefined>) => Promise<T>): Promise<T> {
  const { env, password } = libpqEnv(url);
  if (password === null) return fn({ ...env, PGPASSWORD: undefined });
  const dir = await mkdtemp(join(tmpdir(), 'tierctl-pgpass-'));
  try {
    await chmod(dir, 0o700);
    const file = join(dir, 'pgpass');
    await writeFile(file, `*:*:*:*:${passfileField(password)}\n`, { mode: 0o600 });
    return await fn({ ...env, PGPASSWORD: undefined, PGPASSFILE: file });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a libpq program against `url` (connection and password through its environment only). */
export function execPg(tool: string, args: readonly string[], url: string, options: ExecOptions = {}): Promise<Result<ExecResult>> {
  return withLibpqEnv(url, (env) => execOk(tool, args, { ...options, env: { ...options.env, ...env }, missingHint: PG_CLIENT_HINT }));
}

