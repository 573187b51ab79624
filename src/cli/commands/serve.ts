import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { runAction } from '../run-action.js';

export interface ServeFlags {
  databaseUrl?: string;
  directUrl?: string;
  port?: string;
  host?: string;
  logFile?: string;
}

export function registerServe(program: Command): void {
  databaseOption(program.command('serve'))
    .description('run the API (health, login, models, completions, metrics) with tier enforcement; SIGTERM/Ctrl-C stop it gracefully')
    .option('--port <port>', 'port to listen on (env PORT, default 3000; 0 picks a free one)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--log-file <path>', 'append the JSON log lines to this file instead of stdout (env LOG_FILE; created with its directories; reopened on SIGHUP, for logrotate)')
    .addHelpText(
      'after',
      '\nEnvironment: JWT_SECRET (required, >= 32 bytes), ENABLE_TIER_ENFORCEMENT (default true; false = shadow mode),\n' +
        'JWT_ISSUER, JWT_AUDIENCE, JWT_TTL_SECONDS, LOG_LEVEL. Logs are JSON lines on stdout (or --log-file).\n' +
        'Models whose provider is openai-compatible go to OPENAI_COMPATIBLE_BASE_URL (e.g. https://api.openai.com) with\n' +
        'OPENAI_COMPATIBLE_API_KEY as a Bearer token (never logged); OPENAI_COMPATIBLE_TIMEOUT_MS (default 30000).\n' +
        'API_LOGS_MAX_QUEUED (default 100000): api_logs rows kept while the database is unreachable; older ones are dropped, counted.\n' +
        'A second SIGTERM/SIGINT while stopping: one last api_logs write (at most 1 s), the rows abandoned are logged, exit 130.\n' +
        'Exit 0 stopped by SIGTERM/SIGINT after a graceful shutdown, 2 configuration (e.g. JWT_SECRET missing or short, a bad upstream URL, port in use,\n' +
        'a --log-file that cannot be opened),\n' +
        '3 database unreachable at start.',
    )
    .action((opts: ServeFlags) =>
      runAction(false, async (ctx) => (await import('./serve-action.js')).serveAction(ctx, opts), { signalsStopGracefully: true }),
    );
}
