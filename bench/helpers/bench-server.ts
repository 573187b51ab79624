/**
 * A server for the HTTP benchmarks, in its own process so that autocannon (in the parent)
 * does not share its event loop. BENCH_KIND=app runs the real app (info-level pino logs, written
 * asynchronously as the server does, to /dev/null; api_logs written to the database); `bare` runs a Fastify route that answers
 * BENCH_STATUS with BENCH_BODY (its `timestamp` refreshed per request, as the app does).
 * Prints `PORT <n>` when listening; exits on SIGTERM after a graceful close. With
 * BENCH_CPU_PROFILE=FILE, SIGUSR2 starts a CPU profile and SIGUSR1 writes it to FILE.
 */
import Fastify from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { createLogDestination } from '../../src/server/log-destination.js';
import { createServerLogger } from '../../src/server/run-server.js';
import { plainTarget } from '../../src/shared/database-target.js';
import { profileOnSignals } from './profile-on-signals.js';

const kind = process.env.BENCH_KIND ?? 'app';
let close: () => Promise<void>;
let port: number;

if (kind === 'app') {
  // The server's own logger and destination (info level, batched asynchronous writes), into /dev/null.
  const logger = createServerLogger(process.env.BENCH_LOG_LEVEL ?? 'info', createLogDestination('/dev/null'));
  const app = await buildApp({ database: plainTarget(process.env.DATABASE_URL!), jwt: { secret: process.env.JWT_SECRET! }, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  close = () => app.close();
} else {
  const status = Number(process.env.BENCH_STATUS ?? 200);
  const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as Record<string, unknown>;
  const app = Fastify({ logger: false });
  const handler = async (_request: unknown, reply: { code(n: number): { send(b: unknown): unknown } }) =>
    reply.code(status).send('timestamp' in body ? { ...body, timestamp: new Date().toISOString() } : body);
  app.get('/bare', handler);
  app.post('/bare', handler);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  close = () => app.close();
}
process.on('SIGTERM', () => void close().then(() => process.exit(0)));
if (process.env.BENCH_CPU_PROFILE) profileOnSignals(process.env.BENCH_CPU_PROFILE);
process.stdout.write(`PORT ${port}\n`);
