import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { rehearse, rehearsalFailed, type Backend, type RehearseReport } from '../../runbook/rehearse/rehearse.js';
import { buildApp } from '../../server/app.js';
import { resolveConfig } from '../../shared/config.js';
import { plainTarget } from '../../shared/database-target.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { ok, unwrap, type Result } from '../../shared/failure.js';
import { databaseUrl } from '../../shared/settings.js';
import type { CliContext } from '../context.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, formatFailure, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import { deploySummary } from './deploy-action.js';
import type { RehearseFlags } from './rehearse.js';
import { testPassword } from './users-action.js';
import { verifyRunner } from '../../runbook/deploy/verify-runner.js';

/** The backend under rehearsal: the real app, in this process, on a free loopback port, with a one-off JWT secret. */
async function startBackend(url: string): Promise<Result<Backend>> {
  const app = await buildApp({ database: plainTarget(url), jwt: { secret: randomBytes(32).toString('hex') } });
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

export function rehearsalSummary(r: RehearseReport, c: ReturnType<typeof colors>): string {
  const phases = renderTable(
    ['phase', 'result', 'time'],
    r.phases.map((p) => [p.title, p.outcome === 'ok' ? c.green('ok') : p.outcome === 'skipped' ? c.dim('skipped') : c.red(p.outcome), `${(p.durationMs / 1000).toFixed(2)} s`]),
  );
  const verdict = r.outcome === 'passed' ? c.green('Rehearsal passed') : c.red(`Rehearsal ${r.outcome}`);
  const left = r.leftovers.length > 0 ? c.red(`Left behind: ${r.leftovers.join('; ')}\n`) : `Nothing left behind${r.sandbox ? ` (${r.sandbox} dropped)` : ''}\n`;
  return `${phases}${verdict} in ${(r.totalMs / 1000).toFixed(1)} s\n${left}`;
}

export async function rehearseAction(ctx: CliContext, opts: RehearseFlags): Promise<number> {
  const { adminUrl } = unwrap(resolveConfig({ adminUrl: { ...databaseUrl, flag: 'adminUrl', env: 'TIERCTL_ADMIN_URL', fallback: 'postgresql://postgres@127.0.0.1:5432/postgres' } }, ctx.sources({ ...opts })));
  const fixturesDir = resolveFixturesDir(ctx, opts);
  const password = testPassword(ctx, opts.passwordEnv).password;
  const report = unwrap(
    await rehearse(
      { adminUrl, fixturesDir, testPassword: password, ...(opts.evidenceDir ? { evidenceDir: opts.evidenceDir } : {}) },
      { reporter: await cliReporter(ctx), signal: ctx.signal, startBackend, verify: verifyRunner({ waitSeconds: 10, timeoutMs: 5000, fixturesDir, password }), owner: { host: hostname(), pid: process.pid, startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString() }, isAlive },
    ),
  );
  const failed = rehearsalFailed(report);
  if (opts.json) {
    writeJson(ctx.stdout, { ok: !failed, ...report });
    return failed?.exitCode ?? ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  if (report.deploy && report.outcome !== 'passed') ctx.stdout.write(deploySummary(report.deploy, c));
  if (failed) ctx.stderr.write(formatFailure(failed, colors(ctx.stderr, ctx.env)));
  ctx.stdout.write(rehearsalSummary(report, c));
  return failed?.exitCode ?? ExitCode.ok;
}
