/**
 * `tierctl --help` wall time against `node -e 0` (the floor any Node CLI pays), measured
 * alternately in the same run. Goal: <= 1.3x. Needs `npm run build` first (the bundled CLI).
 */
import { fileURLToPath } from 'node:url';
import { median, reportFigure } from './report.js';
import { timeNode } from './helpers/time-process.js';

const bin = fileURLToPath(new URL('../bin/tierctl.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

timeNode(['-e', '0']);
timeNode([bin, '--help']);
const node: number[] = [];
const help: number[] = [];
for (let i = 0; i < runs; i++) {
  node.push(timeNode(['-e', '0']));
  help.push(timeNode([bin, '--help']));
}
const ratio = median(help) / median(node);
reportFigure({
  name: 'cli-startup',
  what: '`tierctl --help` wall time (median)',
  value: Number(ratio.toFixed(2)),
  unit: 'x',
  baseline: `node -e 0: ${median(node).toFixed(1)} ms`,
  goal: '<= 1.3',
  met: ratio <= 1.3,
  detail: { helpMs: Number(median(help).toFixed(1)), nodeMs: Number(median(node).toFixed(1)), runs },
});
