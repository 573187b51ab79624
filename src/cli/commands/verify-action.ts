import { constants } from 'node:fs';
import { access, chmod, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { apiEndpoint } from '../../shared/api-endpoint.js';
import { resolveConfig } from '../../shared/config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { TierctlError, failure, unwrap, usageFailure } from '../../shared/failure.js';
import { apiUrl, directUrl, durationFlag, optionalDatabaseUrl } from '../../shared/settings.js';
import { targetFor } from '../database-url.js';
import { runVerify, type VerifyReport } from '../../verify/run-verify.js';
import { evidenceText, unreachableJunit, verifyJunit } from '../../verify/verify-junit.js';
import type { CliContext } from '../context.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, formatFailure, writeJson } from '../output.js';
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
  return `Health: ${apiEndpoint(r.apiUrl, '/health').href} healthy after ${r.health.attempts} attempt(s)\n${table}${evidence.join('')}${verdict}, ${r.counts.skipped} skipped in ${r.durationMs} ms\n`;
}

export async function verifyAction(ctx: CliContext, opts: VerifyFlags): Promise<number> {
  const cfg = unwrap(
    resolveConfig({ apiUrl, databaseUrl: optionalDatabaseUrl, directUrl, wait: durationFlag('wait', true), timeout: durationFlag('timeout', true) }, ctx.sources({ ...opts })),
  );
  const database = cfg.databaseUrl ? unwrap(await targetFor(ctx, opts, cfg.databaseUrl, cfg.directUrl)) : undefined;
  const only = checkList('--only', opts.only);
  const skip = checkList('--skip', opts.skip);
  // Found out now, not after the checks ran (a CI gate would lose its report).
  if (opts.junit) {
    const file = opts.junit;
    await access(dirname(resolve(file)), constants.W_OK).catch((e: NodeJS.ErrnoException) => {
      throw new TierctlError(junitFailure(file, e));
    });
  }
  const startedAt = new Date().toISOString();
  const result = await runVerify(
    {
      apiUrl: cfg.apiUrl,
      ...(database ? { database } : {}),
      fixturesDir: resolveFixturesDir(ctx, opts),
      password: testPassword(ctx, opts.passwordEnv).password,
      waitMs: cfg.wait,
      timeoutMs: cfg.timeout,
      ...(only ? { only } : {}),
      ...(skip ? { skip } : {}),
    },
    { signal: ctx.signal },
  );
  if (!result.ok && result.failure.exitCode === ExitCode.unreachable && opts.junit) {
    await writePrivate(opts.junit, unreachableJunit(cfg.apiUrl, startedAt, result.failure)).catch(() => {});
  }
  const report = unwrap(result);
  if (opts.json) writeJson(ctx.stdout, { ok: report.passed, ...report });
  else ctx.stdout.write(verifyText(report, colors(ctx.stdout, ctx.env)));
  if (opts.junit) {
    try {
      await writePrivate(opts.junit, verifyJunit(report));
    } catch (e) {
      // The report is already on stdout (maybe as JSON): say it on stderr only.
      ctx.stderr.write(formatFailure(junitFailure(opts.junit, e as NodeJS.ErrnoException), colors(ctx.stderr, ctx.env)));
      return ExitCode.usage;
    }
  }
  return report.passed ? ExitCode.ok : ExitCode.failed;
}

const junitFailure = (file: string, e: NodeJS.ErrnoException) => failure('junit_not_written', `--junit: cannot write ${file} (${e.code ?? e.message})`, ExitCode.usage);

/** Evidence files are the operator's only (0600), also when an earlier file had wider rights. */
async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
