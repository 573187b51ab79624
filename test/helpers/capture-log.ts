/** A pino logger that keeps its JSON lines in memory, configured like the server's own. */
import type { Logger } from 'pino';
import { createServerLogger } from '../../src/server/run-server.js';

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line so far, parsed. */
  entries(): Record<string, any>[];
  /** Every line so far, raw. */
  text(): string;
  /** The entries whose `msg` contains `message`: what the guide's `grep "message"` finds. */
  find(message: string): Record<string, any>[];
}

export function captureLog(level = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const logger = createServerLogger(level, { write: (s: string) => void chunks.push(s) });
  const entries = () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return {
    logger,
    entries,
    text: () => chunks.join(''),
    find: (message) => entries().filter((e) => typeof e.msg === 'string' && e.msg.includes(message)),
  };
}
