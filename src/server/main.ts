/**
 * Standalone entry of the API (`node dist/server/main.js`, e.g. under systemd or PM2):
 * configuration from the environment and .env, SIGTERM/SIGINT close it gracefully. The only
 * server file that touches `process`. `tierctl serve` does the same through the CLI.
 */
import { readDotenv } from '../shared/config.js';
import { ExitCode } from '../shared/exit-codes.js';
import { createLogDestination } from './log-destination.js';
import { runServer } from './run-server.js';
import { resolveServerConfig } from './server-config.js';

const env = process.env;
const config = resolveServerConfig({ flags: {}, env, dotenv: readDotenv(env.TIERCTL_ENV_FILE ?? '.env') });
if (!config.ok) {
  process.stderr.write(`${config.failure.message}\n`);
  process.exit(config.failure.exitCode);
}
const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals > 1) process.exit(ExitCode.interrupted);
  controller.abort();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
// Log lines are batched per event-loop turn: whatever is pending is written on any exit.
const destination = createLogDestination(1);
process.on('exit', () => destination.flushSync());
const result = await runServer(config.value, { signal: controller.signal, destination });
if (!result.ok) process.stderr.write(`${result.failure.message}\n`);
process.exitCode = result.ok ? ExitCode.ok : result.failure.exitCode;
