import type { Reporter, StepHandle } from '../shared/reporter.js';
import type { CliContext } from './context.js';
import { colors } from './output.js';

/**
 * Progress on stderr: a spinner (ora) on an interactive terminal, plain timestamped
 * lines otherwise (CI logs), so stdout carries only the result (or its JSON).
 */
export async function cliReporter(ctx: CliContext): Promise<Reporter> {
  const c = colors(ctx.stderr, ctx.env);
  const elapsed = (start: number) => c.dim(`(${Date.now() - start} ms)`);
  if (!ctx.interactive) {
    const line = (s: string) => ctx.stderr.write(`${s}\n`);
    return {
      step(title) {
        const start = Date.now();
        line(`… ${title}`);
        return plainStep(line, title, () => elapsed(start));
      },
      info: (m) => line(`  ${m}`),
      warn: (m) => line(`${c.yellow('!')} ${m}`),
    };
  }
  const { default: ora } = await import('ora');
  return {
    step(title) {
      const start = Date.now();
      const spinner = ora({ text: title, stream: ctx.stderr }).start();
      return {
        succeed: (d) => spinner.succeed(`${title}${d ? `: ${d}` : ''} ${elapsed(start)}`),
        fail: (d) => spinner.fail(`${title}${d ? `: ${d}` : ''} ${elapsed(start)}`),
        skip: (r) => spinner.info(`${title}: skipped (${r})`),
        update: (t) => (spinner.text = `${title}: ${t}`),
      };
    },
    info: (m) => ctx.stderr.write(`  ${m}\n`),
    warn: (m) => ctx.stderr.write(`${c.yellow('!')} ${m}\n`),
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
