import { ExitCode } from '../shared/exit-codes.js';
import { TierctlError } from '../shared/failure.js';
import type { CliContext } from './context.js';

/**
 * Runs a command's action at the edge: gives it a context, turns its result or a
 * TierctlError into the documented exit code, and makes Ctrl-C abort it (exit 130). A
 * second Ctrl-C exits at once. With `signalsStopGracefully` (serve), a signal is the normal way to
 * stop: the action's own exit code stands instead of 130. The context and the output
 * helpers (chalk) are imported here, when a command runs, not when the command tree is
 * built: `tierctl --help` needs neither.
 */
export async function runAction(
  json: boolean,
  action: (ctx: CliContext) => Promise<number>,
  options: { readonly signalsStopGracefully?: boolean } = {},
): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(`\n${signal} received: stopping ${options.signalsStopGracefully ? 'gracefully' : 'safely'} (press Ctrl-C again to exit at once)\n`);
    controller.abort(new TierctlError({ code: 'interrupted', message: `Interrupted by ${signal}`, exitCode: ExitCode.interrupted }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx = (await import('./context.js')).createContext(controller.signal);
  try {
    process.exitCode = await action(ctx);
  } catch (e) {
    process.exitCode = await reportError(ctx, json, e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted && !options.signalsStopGracefully) process.exitCode = ExitCode.interrupted;
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
