/**
 * Where the server's pino lines go: batched, so a busy server makes one write for many
 * lines. Lines are collected and written as one buffer once BATCH_CHARS are pending or
 * BATCH_MS after the first pending line, so an idle server's last line is out within
 * BATCH_MS. The write itself is synchronous (sonic-boom, pino's default): on this machine an
 * asynchronous fs.write costs 25-50 µs of CPU in libuv's thread-pool hand-off against ~2 µs
 * for a synchronous one, and with one write per ~16 requests a slow reader of stdout slows
 * the server down (back-pressure) rather than letting lines pile up in memory. Written per
 * line, asynchronously, the lines cost 10-15% of a 403's CPU time. `flush` (pino's
 * `logger.flush`) and `flushSync` (process exit) write what is pending; the order of lines
 * is kept.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';

export const BATCH_CHARS = 16 * 1024;
export const BATCH_MS = 25;

export interface LogDestination {
  write(line: string): void;
  /** Hands every pending line to the file and calls `cb` once they are written. */
  flush(cb?: (err?: Error | null) => void): void;
  /** Writes every pending line now, synchronously (on process exit). */
  flushSync(): void;
  /**
   * Writes what is pending, then reopens the file by its path (after logrotate moved it;
   * SIGHUP). A path that cannot be opened now keeps the old file: its error code is returned.
   */
  reopen(): string | undefined;
}

/**
 * A batching destination on file descriptor `dest` (1: stdout) or a file path (appended to,
 * created with its directories). Opening the file happens here, synchronously: a path that
 * cannot be opened throws (ENOENT, EACCES, EISDIR).
 */
export function createLogDestination(dest: number | string): LogDestination {
  if (typeof dest === 'string') makeDirectories(dirname(dest));
  const file = pino.destination({ dest, sync: true, append: true, contentMode: 'buffer' });
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const handOver = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    // Buffer content mode: sonic-boom takes the bytes as they are, never re-measuring strings.
    (file as unknown as { write(b: Buffer): boolean }).write(Buffer.from(text, 'utf8'));
  };
  return {
    write(line) {
      pending.push(line);
      size += line.length;
      if (size >= BATCH_CHARS) handOver();
      else timer ??= setTimeout(handOver, BATCH_MS);
    },
    flush(cb = () => {}) {
      handOver();
      file.flush(cb);
    },
    flushSync() {
      handOver();
      try {
        file.flushSync();
      } catch {
        // On exit nothing more can be done about a write that fails (stdout closed).
      }
    },
    reopen() {
      handOver();
      if (typeof dest !== 'string') return undefined;
      try {
        file.reopen();
        return undefined;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
    },
  };
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdirSync(dir, { recursive: true })` never
 * returns for a path under /proc (it spins at 100% CPU); this throws the first error.
 */
function makeDirectories(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e;
    makeDirectories(dirname(dir));
    mkdirSync(dir);
  }
}

/** `createLogDestination(file ?? 1)`, a file that cannot be opened as a usage failure (exit 2). */
export function openLogDestination(file: string | undefined): Result<LogDestination> {
  try {
    return ok(createLogDestination(file ?? 1));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return err(failure('log_file_unusable', `Cannot open the log file ${file} for appending: ${code}`, ExitCode.usage));
  }
}

/**
 * pino's ISO timestamp (`,"time":"2026-01-01T00:00:00.000Z"`), formatted once per
 * millisecond: a busy server logs several lines in the same millisecond, and
 * `toISOString` was a visible share of each line's cost.
 */
export function cachedIsoTime(): () => string {
  let lastMs = -1;
  let last = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      last = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return last;
  };
}
