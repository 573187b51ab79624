import type { ChalkInstance } from 'chalk';

/** The mark for a check's status, coloured when colour is on. */
export function statusMark(status: 'ok' | 'warn' | 'blocker' | 'fail', c: ChalkInstance): string {
  if (status === 'ok') return c.green('✔ ok');
  if (status === 'warn') return c.yellow('! warn');
  return c.red(status === 'blocker' ? '✖ BLOCKER' : '✖ FAIL');
}
