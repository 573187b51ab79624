/**
 * Standalone entry of the API (`node dist/server/main.js`, e.g. under systemd or PM2):
 * configuration from the environment and .env, SIGTERM/SIGINT close it gracefully. The only
 * server file that touches `process`. `tierctl serve` does the same through the CLI.
 */
import { readDotenv } from '../shared/config.js';
import { ExitCode } from '../shared/exit-codes.js';
import { openLogDestination } from './log-destination.js';
import { runServer } from './run-server.js';
import { resolveServerConfig } from './server-config.js';

const env = process.env;
const dotenv = readDotenv(env);
const config = dotenv.ok ? resolveServerConfig({ flags: {}, env, dotenv: dotenv.value }) : dotenv;
if (!config.ok) {
  process.stderr.write(`${config.failure.message}\n`);
  process.exit(config.failure.exitCode);
}
// First signal: graceful stop. Second: one last api_logs write (<= 1 s), then exit. Third: exit now.
const controller = new AbortController();
const hurry = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals === 1) controller.abort();
  else if (signals === 2) {
    hurry.abort();
    setTimeout(() => process.exit(ExitCode.interrupted), 5_000).unref();
  } else process.exit(ExitCode.interrupted);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
// Log lines are batched: whatever is pending is written on any exit. LOG_FILE: appended to,
// reopened on SIGHUP (after logrotate moved it).
const opened = openLogDestination(config.value.logFile);
if (!opened.ok) {
  process.stderr.write(`${opened.failure.message}\n`);
  process.exit(opened.failure.exitCode);
}
const destination = opened.value;
process.on('exit', () => destination.flushSync());
if (config.value.logFile !== undefined) process.on('SIGHUP', () => {
  const failed = destination.reopen();
  if (failed) process.stderr.write(`Cannot reopen the log file ${config.value.logFile}: ${failed}; still writing to the file opened before\n`);
});
const result = await runServer(config.value, { signal: controller.signal, hurry: hurry.signal, destination });
if (!result.ok) process.stderr.write(`${result.failure.message}\n`);
process.exitCode = result.ok ? ExitCode.ok : result.failure.exitCode;
// In-flight requests and open connections would keep the process alive.
if (hurry.signal.aborted) process.exit();
