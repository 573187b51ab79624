import { ExitCode } from '../shared/exit-codes.js';
import { TierctlError } from '../shared/failure.js';
import type { CliContext } from './context.js';

let debug = false;
/** `--debug` was given: an internal error also prints its stack trace (set by main's preAction hook). */
export function setDebug(on: boolean): void {
  debug = on;
}

type Streams = Pick<CliContext, 'stdout' | 'stderr' | 'env'>;
export const processStreams = (): Streams => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/**
 * Runs a command's action at the edge: gives it a context, turns its result or a
 * TierctlError into the documented exit code, and makes Ctrl-C abort it (exit 130). A
 * second Ctrl-C exits at once. With `signalsStopGracefully` (serve), a signal is the normal way to
 * stop: the action's own exit code stands instead of 130; a second signal aborts `ctx.hurry`
 * (serve makes one last api_logs write of at most a second and says what it abandons), the
 * process exits when the action returns, and a third signal exits at once. The context and
 * the output helpers (chalk) are imported here, when a command runs, not when the command
 * tree is built: `tierctl --help` needs neither.
 */
export async function runAction(
  json: boolean,
  action: (ctx: CliContext) => Promise<number>,
  options: { readonly signalsStopGracefully?: boolean } = {},
): Promise<void> {
  const controller = new AbortController();
  const hurry = new AbortController();
  const graceful = options.signalsStopGracefully === true;
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 2 && graceful) {
      process.stderr.write(`\n${signal} received again: one last api_logs write (at most 1 s), then exiting (again to exit at once)\n`);
      hurry.abort();
      setTimeout(() => process.exit(ExitCode.interrupted), 5_000).unref();
      return;
    }
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    const again = graceful ? 'press Ctrl-C again to stop waiting' : 'press Ctrl-C again to exit at once';
    process.stderr.write(`\n${signal} received: stopping ${graceful ? 'gracefully' : 'safely'} (${again})\n`);
    controller.abort(new TierctlError({ code: 'interrupted', message: `Interrupted by ${signal}`, exitCode: ExitCode.interrupted }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const ctx = (await import('./context.js')).createContext(controller.signal, hurry.signal);
    process.exitCode = await action(ctx);
  } catch (e) {
    process.exitCode = await reportError(processStreams(), json, e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted && !graceful) process.exitCode = ExitCode.interrupted;
  // Hurried: in-flight requests and open connections would keep the process alive.
  if (hurry.signal.aborted) process.exit();
}

/**
 * A TierctlError as its failure; anything else is a bug in tierctl: one line and a hint, the
 * stack trace only with --debug. With --json the failure goes to stdout as JSON too.
 */
export async function reportError(streams: Streams, json: boolean, e: unknown): Promise<number> {
  const { colors, formatFailure, internalFailure, writeJson } = await import('./output.js');
  const f = e instanceof TierctlError ? e.failure : internalFailure(e);
  if (json) writeJson(streams.stdout, { ok: false, error: f });
  else streams.stderr.write(formatFailure(f, colors(streams.stderr, streams.env)));
  if (debug && !(e instanceof TierctlError) && e instanceof Error && e.stack) streams.stderr.write(`${e.stack}\n`);
  return f.exitCode;
}

