import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { runAction } from '../run-action.js';

export interface MonitorFlags {
  databaseUrl?: string;
  directUrl?: string;
  apiUrl?: string;
  once?: boolean;
  watch?: string;
  maxDenialsPerHour?: string;
  maxTierCheckMs?: string;
  minCacheHitRate?: string;
  timeout?: string;
  json?: boolean;
}

export function registerMonitor(program: Command): void {
  databaseOption(program.command('monitor'))
    .description("the guide's monitoring figures and alerts: tier denials per hour and requests by status (api_logs), tier-check latency, model cache hit rate (/metrics)")
    .option('--api-url <url>', 'the API whose /metrics to read (env API_URL)')
    .option('--once', 'print once and exit 1 if any alert fires (the default; for CI and cron)')
    .option('--watch <seconds>', 'refresh every SECONDS until Ctrl-C')
    .option('--max-denials-per-hour <n>', 'alert above this many tier denials in the last hour', '100')
    .option('--max-tier-check-ms <ms>', 'alert above this average tier-check latency', '10')
    .option('--min-cache-hit-rate <percent>', 'alert below this model cache hit rate', '80')
    .option('--timeout <ms>', 'HTTP timeout for /metrics', '5000')
    .option('--json', 'print the figures and alerts as JSON')
    .addHelpText(
      'after',
      '\nGive --database-url, --api-url or both; a figure whose source is missing is shown as not measured and never fires.\n' +
        'Exit 0 no alert and every source given measured; 1 an alert fires; 2 usage; 3 database or API unreachable;\n' +
        '5 no alert fires but a source given could not be measured (/metrics answered 404 or HTML: its figures show as\n' +
        'not measured, the api_logs figures still print); 130 Ctrl-C (--watch).',
    )
    .action((opts: MonitorFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./monitor-action.js')).monitorAction(ctx, opts)));
}
