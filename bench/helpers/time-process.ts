import { spawnSync } from 'node:child_process';

/** Wall time (ms) of `node ARGS` from spawn to exit; throws unless it exits with one of `ok`. */
export function timeNode(args: readonly string[], ok: readonly number[] = [0]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (!ok.includes(r.status ?? -1)) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
