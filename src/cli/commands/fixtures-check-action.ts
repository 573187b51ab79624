import { checkFixtures } from '../../runbook/check-fixtures.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import type { CliContext } from '../context.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, writeJson } from '../output.js';

export async function fixturesCheckAction(ctx: CliContext, opts: { fixtures?: string; json?: boolean }): Promise<number> {
  const dir = resolveFixturesDir(ctx, opts);
  const report = unwrap(await checkFixtures(dir));
  if (opts.json) {
    writeJson(ctx.stdout, { ok: true, ...report });
    return ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  ctx.stdout.write(
    `${c.green('ok')} ${dir}: ${report.assignments} tier assignments, ${report.testUsers} test users, ${report.sandboxModels} sandbox models\n`,
  );
  for (const { model, finding } of report.findings) ctx.stdout.write(`${c.yellow('warning')} ${model}: ${finding.message}\n`);
  return ExitCode.ok;
}
