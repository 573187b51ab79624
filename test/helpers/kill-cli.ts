/**
 * Runs the built CLI and kills it with SIGKILL after a delay — no cleanup of any kind can
 * run — then waits until the server has noticed (its sessions gone), so that what the
 * database holds afterwards is exactly what the killed run committed.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { packagePath } from '../../src/shared/package-root.js';

export interface KilledRun {
  readonly delayMs: number;
  /** The run ended by itself before the kill. */
  readonly finished: boolean;
  readonly code: number | null;
  /** The last progress line on stderr before it died: where the kill landed. */
  readonly lastLine: string;
  /** When (ms after spawn) the first progress line came: the end of Node's start-up. */
  readonly firstLineMs: number | null;
  readonly stderr: string;
}

/**
 * Kills the run `delayMs` after spawning it, or — `from: 'first-line'` — that long after
 * its first progress line, so that kills meant for the work itself do not drift into
 * Node's start-up when the machine is busy.
 */
export function runAndKill(args: readonly string[], delayMs: number, from: 'spawn' | 'first-line' = 'spawn'): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let firstLineMs: number | null = null;
    const start = performance.now();
    const kill = () => setTimeout(() => child.kill('SIGKILL'), delayMs);
    let timer = from === 'spawn' ? kill() : undefined;
    child.stderr.on('data', (d: Buffer) => {
      if (firstLineMs === null) {
        firstLineMs = performance.now() - start;
        timer ??= kill();
      }
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      resolve({ delayMs, finished: signal === null, code, lastLine: lines.at(-1) ?? '', firstLineMs, stderr });
    });
  });
}

/** Waits (bounded) until no `tierctl migrate` session is left on the database. */
export async function waitForNoCliSessions(pool: pg.Pool, database: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'tierctl migrate%'`,
      [database],
    );
    if (rows[0]!.n === 0) return;
    if (Date.now() - start > timeoutMs) throw new Error(`tierctl sessions still on ${database} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Where in the run the kill landed, from the last progress line. */
export function phaseOf(run: KilledRun): string {
  if (run.finished) return 'finished before the kill';
  const line = run.lastLine;
  if (line === '') return 'starting (no progress yet)';
  if (line.startsWith('… Taking')) return 'waiting for the advisory lock';
  if (line.startsWith('✔ Taking')) return 'holding the advisory lock';
  if (/^… (Applying|Rolling back)/.test(line)) return 'inside the transaction';
  if (/^✔ (Applying|Rolling back)/.test(line)) return 'after a COMMIT';
  return `other: ${line.slice(0, 40)}`;
}
