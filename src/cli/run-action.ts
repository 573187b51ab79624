import { ExitCode } from '../shared/exit-codes.js';
import { TierctlError } from '../shared/failure.js';
import type { CliContext } from './context.js';

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
  const ctx = (await import('./context.js')).createContext(controller.signal, hurry.signal);
  try {
    process.exitCode = await action(ctx);
  } catch (e) {
    process.exitCode = await reportError(ctx, json, e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted && !graceful) process.exitCode = ExitCode.interrupted;
  // Hurried: in-flight requests and open connections would keep the process alive.
  if (hurry.signal.aborted) process.exit();
}

async function reportError(ctx: CliContext, json: boolean, e: unknown): Promise<number> {
  if (e instanceof TierctlError) {
    const { colors, formatFailure, writeJson } = await import('./output.js');
    if (json) writeJson(ctx.stdout, { ok: false, error: e.failure });
    else ctx.stderr.write(formatFailure(e.failure, colors(ctx.stderr, ctx.env)));
    return e.failure.exitCode;
  }
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  ctx.stderr.write(`internal error: ${message}\n`);
  return ExitCode.failed;
}
