import { openLogDestination } from '../../server/log-destination.js';
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
  // Log lines are batched: whatever is pending is written on any exit. A log file is
  // reopened on SIGHUP (after logrotate moved it).
  const destination = unwrap(openLogDestination(config.logFile));
  process.on('exit', () => destination.flushSync());
  if (config.logFile !== undefined) process.on('SIGHUP', () => {
    const failed = destination.reopen();
    if (failed) process.stderr.write(`Cannot reopen the log file ${config.logFile}: ${failed}; still writing to the file opened before\n`);
  });
  const fromPrisma = config.database.directUrl === null ? unwrap(await prismaConfigDirectUrl(ctx.cwd)) : null;
  const database = fromPrisma ? unwrap(databaseTarget(config.database.url, { url: fromPrisma.url, source: `${fromPrisma.file} (datasource.directUrl)` })) : config.database;
  unwrap(await runServer({ ...config, database }, { signal: ctx.signal, hurry: ctx.hurry, destination }));
  return ExitCode.ok;
}
