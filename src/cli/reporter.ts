import type { Reporter, StepHandle } from '../shared/reporter.js';
import type { CliContext } from './context.js';
import { colors } from './output.js';
import { importModule } from './import-module.js';

/**
 * A spinner redraws the lines it counts from the terminal's width: only on an interactive
 * terminal that reports a width. A pseudo-terminal reporting 0 columns (`script`, some CI
 * runners, `docker exec -t`) made ora clear "infinitely many" lines, forever.
 */
export function spinnerPossible(ctx: CliContext): boolean {
  return ctx.interactive && (ctx.stderr.columns ?? 0) > 0 && ctx.env.TERM !== 'dumb';
}

/**
 * Progress on stderr: a spinner (ora) on an interactive terminal of known width, plain
 * timestamped lines otherwise (CI logs), so stdout carries only the result (or its JSON).
 * Colour follows `colors()`: none under NO_COLOR, TERM=dumb or off a terminal.
 */
export async function cliReporter(ctx: CliContext): Promise<Reporter> {
  const c = colors(ctx.stderr, ctx.env);
  const elapsed = (start: number) => c.dim(`(${Date.now() - start} ms)`);
  const info = (m: string) => ctx.stderr.write(`  ${m}\n`);
  const warn = (m: string) => ctx.stderr.write(`${c.yellow('!')} ${m}\n`);
  if (!spinnerPossible(ctx)) {
    const line = (s: string) => ctx.stderr.write(`${s}\n`);
    return {
      step(title) {
        const start = Date.now();
        line(`… ${title}`);
        return plainStep(line, title, () => elapsed(start));
      },
      info,
      warn,
    };
  }
  const { default: ora } = (await importModule('ora')) as typeof import('ora');
  return {
    step(title) {
      const start = Date.now();
      const spinner = ora({ text: title, stream: ctx.stderr, color: c.level > 0 ? 'cyan' : false }).start();
      // A terminal resized to 0 columns mid-step: stop animating rather than loop.
      const onResize = () => (spinner.isEnabled = (ctx.stderr.columns ?? 0) > 0);
      ctx.stderr.on('resize', onResize);
      const end = (symbol: string, text: string) => {
        ctx.stderr.off('resize', onResize);
        spinner.stopAndPersist({ symbol, text });
      };
      return {
        succeed: (d) => end(c.green('✔'), `${title}${d ? `: ${d}` : ''} ${elapsed(start)}`),
        fail: (d) => end(c.red('✖'), `${title}${d ? `: ${d}` : ''} ${elapsed(start)}`),
        skip: (r) => end(c.blue('ℹ'), `${title}: skipped (${r})`),
        update: (t) => (spinner.text = `${title}: ${t}`),
      };
    },
    info,
    warn,
  };
}

function plainStep(line: (s: string) => void, title: string, elapsed: () => string): StepHandle {
  return {
    succeed: (d) => line(`✔ ${title}${d ? `: ${d}` : ''} ${elapsed()}`),
    fail: (d) => line(`✖ ${title}${d ? `: ${d}` : ''} ${elapsed()}`),
    skip: (r) => line(`- ${title}: skipped (${r})`),
    update: (t) => line(`  ${title}: ${t}`),
  };
}
