import type { Command } from 'commander';
import { GUIDE_THRESHOLDS } from '../../shared/monitor-thresholds.js';
import { databaseOption } from '../database-option.js';
import { durationOption } from '../duration-flag.js';
import { helpSections } from '../help.js';
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
    .addOption(durationOption('--watch <duration>', 'refresh this often until Ctrl-C'))
    .option('--max-denials-per-hour <n>', 'alert above this many tier denials in the last hour', String(GUIDE_THRESHOLDS.maxDenialsPerHour))
    .option('--max-tier-check-ms <n>', 'alert above this average tier-check latency, in milliseconds (a threshold, not a duration flag)', String(GUIDE_THRESHOLDS.maxTierCheckMs))
    .option('--min-cache-hit-rate <percent>', 'alert below this model cache hit rate', String(GUIDE_THRESHOLDS.minCacheHitRate * 100))
    .addOption(durationOption('--timeout <duration>', 'HTTP timeout for /metrics', '5s'))
    .option('--json', 'print the figures and alerts as JSON')
    .addHelpText(
      'after',
      helpSections({
        notes: 'Give --database-url, --api-url or both; a figure whose source is missing or cannot be read is shown as not measured and never fires.',
        examples: [
          'tierctl monitor --database-url postgresql://app@db.internal:5432/app --api-url http://localhost:3000',
          'tierctl monitor --watch 1m',
          'tierctl monitor --json --max-denials-per-hour 500',
        ],
        exits: [
          [0, 'no alert, and every source given was measured'],
          [1, 'an alert fires'],
          [2, 'usage or configuration error'],
          [3, 'database or API unreachable, and no other source given to measure'],
          [5, 'no alert fires, but a source given could not be measured (/metrics refused, timed out, or answered 404 or HTML; the database unreachable or without api_logs): its figures show as not measured, the other source\'s figures still print'],
          [130, 'Ctrl-C (--watch)'],
        ],
      }),
    )
    .action((opts: MonitorFlags) => runAction(Boolean(opts.json), async (ctx) => (await import('./monitor-action.js')).monitorAction(ctx, opts)));
}
