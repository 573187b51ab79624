import { runServer } from '../../server/run-server.js';
import { resolveServerConfig } from '../../server/server-config.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import type { CliContext } from '../context.js';
import type { ServeFlags } from './serve.js';

export async function serveAction(ctx: CliContext, opts: ServeFlags): Promise<number> {
  const config = unwrap(resolveServerConfig(ctx.sources({ ...opts })));
  unwrap(await runServer(config, { signal: ctx.signal, hurry: ctx.hurry }));
  return ExitCode.ok;
}
