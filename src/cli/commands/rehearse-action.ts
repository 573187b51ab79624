import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { siblingTool } from '../../db/dump/pg-tools.js';
import { childBaseEnv } from '../../db/dump/restore-stream.js';
import { verifyRunner } from '../../runbook/deploy/verify-runner.js';
import type { SourceSpec } from '../../runbook/rehearse/copy-source.js';
import { rehearse, rehearsalFailed, type Backend, type RehearseReport } from '../../runbook/rehearse/rehearse.js';
import { buildApp } from '../../server/app.js';
import { createMockProvider } from '../../server/providers/mock.js';
import { createProviderRegistry } from '../../server/providers/provider.js';
import { resolveConfig } from '../../shared/config.js';
import { plainTarget } from '../../shared/database-target.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, unwrap, usageFailure, type Result } from '../../shared/failure.js';
import { postgresUrl } from '../../shared/settings.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { resolveMigrationsDir } from '../migrations-dir-option.js';
import { colors, formatFailure, writeJson } from '../output.js';
import { cliReporter, spinnerPossible } from '../reporter.js';
import { deploySummary } from './deploy-action.js';
import type { RehearseFlags } from './rehearse.js';
import { rehearsalSummary } from './rehearse-summary.js';
import { testPassword } from './users-action.js';

/**
 * The backend under rehearsal: the real app, in this process, on a free loopback port, with
 * a one-off JWT secret. Every model is answered by the mock provider, whatever its
 * `provider` column says: a rehearsal never calls a real upstream.
 */
async function startBackend(url: string): Promise<Result<Backend>> {
  const mock = createMockProvider();
  const app = await buildApp({ database: plainTarget(url), jwt: { secret: randomBytes(32).toString('hex') }, providers: createProviderRegistry([mock], mock) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return ok({ url: `http://127.0.0.1:${port}`, close: () => app.close() });
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true; // not a pid: never taken as proof that a rehearsal is gone
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const DEFAULT_SANDBOX_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';

async function sourceOf(ctx: CliContext, opts: RehearseFlags): Promise<SourceSpec | undefined> {
  if (opts.fromBackup !== undefined && opts.fromDatabase !== undefined) {
    unwrap(err(usageFailure('conflicting_sources', '--from-backup and --from-database: give one source for the copy, not both')));
  }
  if (opts.fromBackup !== undefined) return { kind: 'backup', manifestPath: resolve(opts.fromBackup) };
  if (opts.fromDatabase === undefined) return undefined;
  // Alone: DATABASE_URL with its DIRECT_URL (pg_dump goes through the direct one); with a URL: that URL, as given.
  const target = opts.fromDatabase === true
    ? await resolveDatabaseTarget(ctx, {})
    : plainTarget(unwrap(resolveConfig({ fromDatabase: { flag: 'fromDatabase', schema: postgresUrl, secret: true } }, ctx.sources({ fromDatabase: opts.fromDatabase }))).fromDatabase);
  return { kind: 'database', target };
}

/** A --report or --evidence-dir that cannot be written is a usage error before anything starts (tried for real: root passes access()). */
async function writable(flag: string, dir: string): Promise<void> {
  const probe = join(dir, `.tierctl-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '', { mode: 0o600 });
    await unlink(probe);
  } catch (e) {
    unwrap(err(usageFailure('not_writable', `${flag}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)));
  }
}

export async function rehearseAction(ctx: CliContext, opts: RehearseFlags): Promise<number> {
  const sandboxUrl = opts.sandboxUrl ?? opts.adminUrl;
  const { adminUrl } = unwrap(resolveConfig({ adminUrl: { flag: 'adminUrl', schema: postgresUrl, secret: true, fallback: ctx.env.TIERCTL_SANDBOX_URL || ctx.env.TIERCTL_ADMIN_URL || DEFAULT_SANDBOX_SERVER } }, ctx.sources({ adminUrl: sandboxUrl })));
  const from = await sourceOf(ctx, opts);
  const fixturesDir = resolveFixturesDir(ctx, opts);
  const migrationsDir = resolveMigrationsDir(ctx, opts);
  // pg_restore from beside --pg-dump (same installation), as backup does, unless given.
  const pgRestore = opts.pgRestore ?? (opts.pgDump ? siblingTool(opts.pgDump, 'pg_restore') : undefined);
  const password = testPassword(ctx, opts.passwordEnv).password;
  if (opts.report) await writable('--report', dirname(resolve(opts.report)));
  if (opts.evidenceDir) await writable('--evidence-dir', resolve(opts.evidenceDir));
  const report = unwrap(
    await rehearse(
      { adminUrl, fixturesDir, testPassword: password, ...(from ? { from } : {}), ...(opts.evidenceDir ? { evidenceDir: opts.evidenceDir } : {}), ...(opts.pgDump ? { pgDump: opts.pgDump } : {}), ...(pgRestore ? { pgRestore } : {}), ...(migrationsDir ? { migrationsDir } : {}) },
      {
        reporter: await cliReporter(ctx), signal: ctx.signal, startBackend, isAlive, childEnv: childBaseEnv(ctx.env), // A spinner line is rewritten in place: often. A log (CI, or a terminal that reports no width) gets a line per table and at most one every 5 s.
        progressEveryMs: spinnerPossible(ctx) ? 200 : 5000,
        verifyWith: (dir) => verifyRunner({ waitMs: 10_000, timeoutMs: 5000, fixturesDir: dir, password }),
        owner: { host: hostname(), pid: process.pid, startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString() },
      },
    ),
  );
  let written: string[] = [];
  let failed = rehearsalFailed(report);
  try {
    written = await writeOutputs(report, opts);
  } catch (e) {
    failed ??= failure('report_not_written', `The rehearsal ended but its report could not be written: ${(e as Error).message}`, ExitCode.failed);
  }
  if (opts.json) {
    writeJson(ctx.stdout, { ok: !failed, ...report });
    return failed?.exitCode ?? ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  if (report.deploy && report.outcome !== 'passed') ctx.stdout.write(deploySummary(report.deploy, c));
  if (failed) ctx.stderr.write(formatFailure(failed, colors(ctx.stderr, ctx.env)));
  ctx.stdout.write(rehearsalSummary(report, c));
  for (const w of written) ctx.stdout.write(`${w}\n`);
  return failed?.exitCode ?? ExitCode.ok;
}

/** The HTML report and the JSON evidence: the same report, files 0600. */
async function writeOutputs(report: RehearseReport, opts: RehearseFlags): Promise<string[]> {
  const lines: string[] = [];
  if (opts.report) {
    const { reportHtml } = await import('../../runbook/rehearse/report-html.js');
    await writeFile(resolve(opts.report), reportHtml(report), { mode: 0o600 });
    lines.push(`Report: ${resolve(opts.report)}`);
  }
  if (opts.evidenceDir) {
    const file = join(resolve(opts.evidenceDir), `rehearsal_evidence_${report.startedAt.replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
    lines.push(`Evidence: ${file}`);
  }
  return lines;
}
