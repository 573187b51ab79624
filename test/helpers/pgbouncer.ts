/**
 * A real PgBouncer (1.18, `/usr/sbin/pgbouncer`) in front of the local PostgreSQL, for one
 * test file's database: transaction pooling by default, as Supabase, Neon and most
 * production poolers run it. PgBouncer refuses to run as root, so under root it is started
 * as `postgres` (`runuser`), with its config, auth file and pid file in a temporary
 * directory that user owns. `stop()` shuts it down and removes the directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

export const PGBOUNCER_BIN = process.env.TIERCTL_TEST_PGBOUNCER ?? '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** `transaction` (default), `session` or `statement`. */
  readonly poolMode?: 'transaction' | 'session' | 'statement';
  /** Server connections per database/user pair (default 4). */
  readonly poolSize?: number;
  /** Extra `[pgbouncer]` settings, e.g. `{ server_idle_timeout: '1' }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface PgBouncer {
  /** `databaseUrl` with its host and port replaced by PgBouncer's: the pooled URL. */
  readonly url: string;
  readonly port: number;
  /** What PgBouncer logged so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}


const asRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function configText(target: URL, port: number, dir: string, o: PgBouncerOptions): string {
  const dbname = decodeURIComponent(target.pathname.slice(1));
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(dir, 'userlist.txt'),
    pidfile: join(dir, 'pgbouncer.pid'),
    pool_mode: o.poolMode ?? 'transaction',
    default_pool_size: String(o.poolSize ?? 4),
    max_client_conn: '200',
    ignore_startup_parameters: 'extra_float_digits',
    ...o.settings,
  };
  return [
    '[databases]',
    `${dbname} = host=${target.hostname} port=${target.port || '5432'} dbname=${dbname}`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
}

/** Starts PgBouncer in front of `databaseUrl`'s server for that database; resolves once it answers. */
export async function startPgBouncer(databaseUrl: string, options: PgBouncerOptions = {}): Promise<PgBouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username) || 'postgres';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tierctl-pgbouncer-'));
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), configText(target, port, dir, options));
  if (asRoot()) {
    const { uid, gid } = postgresIds();
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, f), uid, gid);
  }
  const argv = [PGBOUNCER_BIN, join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = asRoot()
    ? spawn('runuser', ['-u', 'postgres', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const pooled = new URL(databaseUrl);
  pooled.hostname = '127.0.0.1';
  pooled.port = String(port);
  const url = pooled.toString();

  const pidFile = join(dir, 'pgbouncer.pid');
  const signal = (sig: NodeJS.Signals) => {
    // runuser does not always pass signals on: signal PgBouncer itself by its pid file.
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    try {
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, sig);
      else child.kill(sig);
    } catch {
      /* already gone */
    }
  };
  const stop = async () => {
    if (!exited) {
      signal('SIGTERM');
      const killed = setTimeout(() => signal('SIGKILL'), 3000);
      await exit;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      `PgBouncer on port ${port}`,
      async () => {
        if (exited) throw new Error(`PgBouncer exited at start:\n${log}`);
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
        client.on('error', () => {});
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => {});
        }
      },
      10_000,
      50,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, log: () => log, stop };
}

/** Registers beforeAll/afterAll for a PgBouncer in front of the file's database (`url()` is read in beforeAll). */
export function usePgBouncer(url: () => string, options: PgBouncerOptions = {}): () => PgBouncer {
  let bouncer: PgBouncer | undefined;
  beforeAll(async () => {
    bouncer = await startPgBouncer(url(), options);
  });
  afterAll(async () => {
    await bouncer?.stop();
  });
  return () => {
    if (!bouncer) throw new Error('PgBouncer not started yet (use it inside a test or hook)');
    return bouncer;
  };
}
