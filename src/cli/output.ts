import { Chalk, type ChalkInstance } from 'chalk';
import type { Failure } from '../shared/failure.js';

/** Colour only on a terminal, and never with NO_COLOR set. */
export function colors(stream: NodeJS.WriteStream, env: Readonly<Record<string, string | undefined>>): ChalkInstance {
  const enabled = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? 1 : 0 });
}

export function writeJson(stream: NodeJS.WriteStream, value: unknown): void {
  stream.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
}

/** An error as the operator reads it: what failed, why, and what to do. */
export function formatFailure(f: Failure, c: ChalkInstance): string {
  const lines = [`${c.red('error')} ${f.message}`];
  if (f.hint) lines.push(`${c.dim('hint')}  ${f.hint}`);
  lines.push(c.dim(`(${f.code}, exit ${f.exitCode})`));
  return lines.join('\n') + '\n';
}
