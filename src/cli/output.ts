import { Chalk, type ChalkInstance } from 'chalk';
import { ExitCode } from '../shared/exit-codes.js';
import { failure, type Failure } from '../shared/failure.js';

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

/** An error tierctl did not expect (a bug): its message on one line, and what to do. */
export function internalFailure(e: unknown): Failure {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  return failure('internal_error', `Internal error: ${message}`, ExitCode.failed, {
    hint: 'This is a bug in tierctl. Run the command again with --debug for the stack trace, and report it with that output.',
  });
}
