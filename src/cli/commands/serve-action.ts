import { createLogDestination } from '../../server/log-destination.js';
import { runServer } from '../../server/run-server.js';
import { resolveServerConfig } from '../../server/server-config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { databaseTarget } from '../../shared/database-target.js';
import { unwrap } from '../../shared/failure.js';
import type { CliContext } from '../context.js';
import { prismaConfigDirectUrl } from '../prisma-config.js';
import type { ServeFlags } from './serve.js';

export async function serveAction(ctx: CliContext, opts: ServeFlags): Promise<number> {
  const config = unwrap(resolveServerConfig(ctx.sources({ ...opts })));
  // Log lines are batched per event-loop turn: whatever is pending is written on any exit.
  const destination = createLogDestination(1);
  process.on('exit', () => destination.flushSync());
  const fromPrisma = config.database.directUrl === null ? unwrap(await prismaConfigDirectUrl(ctx.cwd)) : null;
  const database = fromPrisma ? unwrap(databaseTarget(config.database.url, { url: fromPrisma.url, source: `${fromPrisma.file} (datasource.directUrl)` })) : config.database;
  unwrap(await runServer({ ...config, database }, { signal: ctx.signal, hurry: ctx.hurry, destination }));
  return ExitCode.ok;
}
