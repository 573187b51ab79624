import { writeFile } from 'node:fs/promises';
import { resolveConfig } from '../../shared/config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { TierctlError, failure, unwrap, usageFailure } from '../../shared/failure.js';
import { apiUrl, optionalDatabaseUrl, positiveInt } from '../../shared/settings.js';
import { runVerify, type VerifyReport } from '../../verify/run-verify.js';
import { evidenceText, verifyJunit } from '../../verify/verify-junit.js';
import type { CliContext } from '../context.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, writeJson } from '../output.js';
import { renderTable } from '../table.js';
import { testPassword } from './users-action.js';
import type { VerifyFlags } from './verify.js';

/** `--only 2,3` / `--skip 1`: check numbers 1 to 8, or exit 2. */
export function checkList(flag: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  const ids = parts.map(Number);
  if (parts.some((p) => !/^[1-8]$/.test(p))) throw new TierctlError(usageFailure('invalid_check_list', `${flag}: expected check numbers 1 to 8 separated by commas (got ${JSON.stringify(text)})`));
  return ids;
}

export function verifyText(r: VerifyReport, c: ReturnType<typeof colors>): string {
  const mark = { pass: c.green('pass'), fail: c.red('FAIL'), skipped: c.yellow('skipped') };
  const table = renderTable(['#', 'check', 'result', 'time', 'detail'], r.checks.map((x) => [x.id, x.title, mark[x.result], `${x.durationMs} ms`, x.message.slice(0, 100)]));
  const evidence = r.checks.filter((x) => x.result === 'fail' && x.evidence).map((x) => `${c.red(`Test ${x.id}: ${x.title}`)}\n${evidenceText(x.evidence!).replace(/^/gm, '  ')}\n`);
  const verdict = r.passed ? c.green(`${r.counts.pass} passed`) : c.red(`${r.counts.fail} failed`);
  return `Health: ${r.apiUrl}/health healthy after ${r.health.attempts} attempt(s)\n${table}${evidence.join('')}${verdict}, ${r.counts.skipped} skipped in ${r.durationMs} ms\n`;
}

export async function verifyAction(ctx: CliContext, opts: VerifyFlags): Promise<number> {
  const cfg = unwrap(
    resolveConfig({ apiUrl, databaseUrl: optionalDatabaseUrl, wait: { flag: 'wait', schema: positiveInt }, timeout: { flag: 'timeout', schema: positiveInt } }, ctx.sources({ ...opts })),
  );
  const only = checkList('--only', opts.only);
  const skip = checkList('--skip', opts.skip);
  const report = unwrap(
    await runVerify(
      {
        apiUrl: cfg.apiUrl,
        ...(cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl } : {}),
        fixturesDir: resolveFixturesDir(ctx, opts),
        password: testPassword(ctx, opts.passwordEnv).password,
        waitMs: cfg.wait * 1000,
        timeoutMs: cfg.timeout,
        ...(only ? { only } : {}),
        ...(skip ? { skip } : {}),
      },
      { signal: ctx.signal },
    ),
  );
  if (opts.junit) {
    try {
      await writeFile(opts.junit, verifyJunit(report));
    } catch (e) {
      throw new TierctlError(failure('junit_not_written', `Cannot write ${opts.junit}: ${(e as Error).message}`, ExitCode.usage));
    }
  }
  if (opts.json) writeJson(ctx.stdout, { ok: report.passed, ...report });
  else ctx.stdout.write(verifyText(report, colors(ctx.stdout, ctx.env)));
  return report.passed ? ExitCode.ok : ExitCode.failed;
}
