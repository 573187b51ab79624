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
import pino from 'pino';

export const BATCH_CHARS = 16 * 1024;
export const BATCH_MS = 25;

export interface LogDestination {
  write(line: string): void;
  /** Hands every pending line to the file and calls `cb` once they are written. */
  flush(cb?: (err?: Error | null) => void): void;
  /** Writes every pending line now, synchronously (on process exit). */
  flushSync(): void;
}

/** A batching destination on file descriptor `dest` (1: stdout) or a file path (appended to). */
export function createLogDestination(dest: number | string): LogDestination {
  const file = pino.destination({ dest, sync: true, append: true, mkdir: typeof dest === 'string', contentMode: 'buffer' });
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
  };
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
