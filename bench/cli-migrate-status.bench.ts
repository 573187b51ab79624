/**
 * `tierctl migrate status` as a whole process (start-up, connection, ledger and catalog
 * read, the table) on a migrated database, against `node -e 0`, alternately in the same
 * run. Goal: <= 2.0x. Needs `npm run build` first (the bundled CLI).
 */
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../test/helpers/test-database.js';
import { median, reportFigure } from './report.js';
import { timeNode } from './helpers/time-process.js';

const bin = fileURLToPath(new URL('../bin/tierctl.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

const db = await createTestDatabase('none');
try {
  timeNode([bin, 'migrate', 'apply', '--database-url', db.url]); // the ledger as Prisma keeps it: status is up to date (exit 0)
  const status = [bin, 'migrate', 'status', '--database-url', db.url];
  timeNode(['-e', '0']);
  timeNode(status);
  const node: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(timeNode(['-e', '0']));
    cli.push(timeNode(status));
  }
  const ratio = median(cli) / median(node);
  reportFigure({
    name: 'cli-migrate-status',
    what: '`tierctl migrate status` whole process on a migrated database, wall time (median)',
    value: Number(ratio.toFixed(2)),
    unit: 'x',
    baseline: `node -e 0: ${median(node).toFixed(1)} ms`,
    goal: '<= 2.0',
    met: ratio <= 2.0,
    detail: { statusMs: Number(median(cli).toFixed(1)), nodeMs: Number(median(node).toFixed(1)), runs },
  });
} finally {
  await db.drop();
}
