import type { Command } from 'commander';
import { databaseOption } from '../database-option.js';
import { helpSections } from '../help.js';
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
      helpSections({
        notes: 'Environment: JWT_SECRET (required, >= 32 bytes), ENABLE_TIER_ENFORCEMENT (default true; false = shadow mode),\nJWT_ISSUER, JWT_AUDIENCE, JWT_TTL_SECONDS, LOG_LEVEL. Logs are JSON lines on stdout (or --log-file).\nModels whose provider is openai-compatible go to OPENAI_COMPATIBLE_BASE_URL (e.g. https://api.openai.com) with\nOPENAI_COMPATIBLE_API_KEY as a Bearer token (never logged); OPENAI_COMPATIBLE_TIMEOUT_MS (default 30000).\nAPI_LOGS_MAX_QUEUED (default 100000): api_logs rows kept while the database is unreachable; older ones are dropped, counted.\nA second SIGTERM/SIGINT while stopping: one last api_logs write (at most 1 s), the rows abandoned are logged, exit 130.',
        examples: [
          'JWT_SECRET=... tierctl serve',
          'JWT_SECRET=... tierctl serve --host 0.0.0.0 --port 8080 --log-file /var/log/api/app.log',
          'ENABLE_TIER_ENFORCEMENT=false JWT_SECRET=... tierctl serve',
        ],
        exits: [
          [0, 'stopped by SIGTERM/SIGINT after a graceful shutdown'],
          [2, 'configuration (e.g. JWT_SECRET missing or short, a bad upstream URL, port in use, a --log-file that cannot be opened)'],
          [3, 'database unreachable at start'],
          [130, 'a second signal cut the shutdown short'],
        ],
      }),
    )
    .action((opts: ServeFlags) =>
      runAction(false, async (ctx) => (await import('./serve-action.js')).serveAction(ctx, opts), { signalsStopGracefully: true }),
    );
}
