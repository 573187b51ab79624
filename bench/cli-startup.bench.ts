/**
 * `tierctl --help` wall time against `node -e 0` (the floor any Node CLI pays), measured
 * alternately in the same run. Goal: <= 2.0x. Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, reportFigure } from './report.js';

const bin = fileURLToPath(new URL('../bin/tierctl.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

time(['-e', '0']);
time([bin, '--help']);
const node: number[] = [];
const help: number[] = [];
for (let i = 0; i < runs; i++) {
  node.push(time(['-e', '0']));
  help.push(time([bin, '--help']));
}
const ratio = median(help) / median(node);
reportFigure({
  name: 'cli-startup',
  what: '`tierctl --help` wall time (median)',
  value: Number(ratio.toFixed(2)),
  unit: 'x',
  baseline: `node -e 0: ${median(node).toFixed(1)} ms`,
  goal: '<= 2.0',
  met: ratio <= 2.0,
  detail: { helpMs: Number(median(help).toFixed(1)), nodeMs: Number(median(node).toFixed(1)), runs },
});
