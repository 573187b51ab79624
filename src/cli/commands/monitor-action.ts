import { setTimeout as sleep } from 'node:timers/promises';
import { collectMonitor, type MonitorReport } from '../../runbook/monitor/monitor.js';
import { resolveConfig } from '../../shared/config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { TierctlError, unwrap, usageFailure } from '../../shared/failure.js';
import { directUrl, durationFlag, nonNegativeNumber, optionalApiUrl, optionalDatabaseUrl, optionalDurationFlag } from '../../shared/settings.js';
import { targetFor } from '../database-url.js';
import { numberIn } from '../../shared/value-schema.js';
import type { CliContext } from '../context.js';
import { colors, writeJson } from '../output.js';
import { renderTable } from '../table.js';
import type { MonitorFlags } from './monitor.js';

const settings = {
  databaseUrl: optionalDatabaseUrl,
  directUrl,
  apiUrl: optionalApiUrl,
  watch: optionalDurationFlag('watch', true),
  maxDenialsPerHour: { flag: 'maxDenialsPerHour', schema: nonNegativeNumber },
  maxTierCheckMs: { flag: 'maxTierCheckMs', schema: nonNegativeNumber },
  minCacheHitRate: { flag: 'minCacheHitRate', schema: numberIn({ min: 0, max: 100 }) },
  timeout: durationFlag('timeout', true),
};

const show = (v: number | null, unit: string) => (v === null ? '-' : unit === '%' ? `${(v * 100).toFixed(1)} %` : `${Number(v.toFixed(3))}${unit}`);

export function monitorText(r: MonitorReport, c: ReturnType<typeof colors>): string {
  const unit = (id: string) => (id === 'cache_hit_rate' ? '%' : id === 'tier_check_latency' ? ' ms' : '');
  const alerts = renderTable(
    ['figure', 'value', 'alert when', 'source', ''],
    r.alerts.map((a) => [
      a.title,
      show(a.value, unit(a.id)),
      `${a.comparison} ${show(a.threshold, unit(a.id))}`,
      a.source ?? '-',
      a.firing ? c.red('ALERT') : a.value === null ? c.dim(`not measured: ${a.note?.replace(/^not measured: /, '')}`) : c.green('ok'),
    ]),
  );
  const statuses = r.requestsByStatus.length > 0 ? `Requests in the last hour by status: ${r.requestsByStatus.map((s) => `${s.status}: ${s.count}`).join(', ')}\n` : '';
  const hours = r.deniedPerHour.length > 0 ? `Denials per hour (24 h): ${r.deniedPerHour.map((h) => `${h.hour.slice(0, 13)}h ${h.count}`).join(', ')}\n` : '';
  const unmeasured = r.notMeasured.map((u) => `${c.yellow('Not measured')} (${u.source}): ${u.reason.replace(/^not measured: /, '')}\n`).join('');
  return `${r.at}\n${alerts}${statuses}${hours}${unmeasured}${r.firing > 0 ? c.red(`${r.firing} alert(s) firing`) : 'No alert'}\n`;
}

/** 1 an alert fires; else 5 a source given was not measured; else 0. */
export function monitorExitCode(r: MonitorReport): ExitCode {
  if (r.firing > 0) return ExitCode.failed;
  return r.notMeasured.length > 0 ? ExitCode.notMeasured : ExitCode.ok;
}

export async function monitorAction(ctx: CliContext, opts: MonitorFlags): Promise<number> {
  const cfg = unwrap(resolveConfig(settings, ctx.sources({ ...opts })));
  if (!cfg.databaseUrl && !cfg.apiUrl) throw new TierctlError(usageFailure('nothing_to_monitor', 'Give --database-url (api_logs), --api-url (/metrics), or both'));
  if (opts.once && cfg.watch !== undefined) throw new TierctlError(usageFailure('conflicting_options', '--once and --watch exclude each other'));
  const options = {
    ...(cfg.databaseUrl ? { database: unwrap(await targetFor(ctx, opts, cfg.databaseUrl, cfg.directUrl)) } : {}),
    ...(cfg.apiUrl ? { apiUrl: cfg.apiUrl } : {}),
    thresholds: { maxDenialsPerHour: cfg.maxDenialsPerHour, maxTierCheckMs: cfg.maxTierCheckMs, minCacheHitRate: cfg.minCacheHitRate / 100 },
    timeoutMs: cfg.timeout,
  };
  const c = colors(ctx.stdout, ctx.env);
  for (;;) {
    const report = unwrap(await collectMonitor(options, { signal: ctx.signal }));
    const code = monitorExitCode(report);
    if (opts.json) writeJson(ctx.stdout, { ok: code === ExitCode.ok, ...report });
    else ctx.stdout.write(monitorText(report, c));
    if (cfg.watch === undefined) return code;
    try {
      await sleep(cfg.watch, undefined, { signal: ctx.signal });
    } catch {
      return ExitCode.interrupted;
    }
  }
}
