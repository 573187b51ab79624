// bench-timeout: 900
/**
 * `tierctl rehearse --from-database` on a production-like database: 1,000 models, 100,000
 * users with one subscription each across tiers and statuses, 1,000,000 api_logs rows
 * (test/helpers/production-like.ts, generated inside PostgreSQL, then dropped).
 *
 * Figures, all from the same run: the whole rehearsal's wall time; tierctl's copy of the
 * database (inspect the source read only, check the sandbox server, create the marked
 * sandbox, pg_dump | pg_restore through tierctl with progress) against the bare
 * `pg_dump -Fc -Z0 | pg_restore --no-owner --no-acl` of the same database into a fresh
 * database (same flags), measured before and after the rehearsal (goal: <= 1.3x); and
 * the ACCESS EXCLUSIVE time on models, statement by statement on the copy and in the real
 * apply and rollback transactions.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { quoteIdent } from '../src/db/sql.js';
import { packagePath } from '../src/shared/package-root.js';
import { fillProductionLike } from '../test/helpers/production-like.js';
import { adminQuery, createTestDatabase, databaseUrl } from '../test/helpers/test-database.js';
import { reportFigure } from './report.js';

const SHAPE = { models: 1000, users: 100_000, apiLogs: 1_000_000, at: 'baseline' } as const;
const log = (s: string) => process.stderr.write(`${s}\n`);

const source = await createTestDatabase('none');
try {
  let t = performance.now();
  await fillProductionLike(source.url, SHAPE);
  const generateMs = performance.now() - t;
  const size = Number((await adminQuery(`SELECT pg_database_size('${source.name}') AS n`)).rows[0]!.n);
  log(`generated ${source.name} (${(size / 1e6).toFixed(0)} MB) in ${(generateMs / 1000).toFixed(1)} s`);

  const bare = async (): Promise<number> => {
    const target = `tierctl_t_${process.pid}_bare_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(target)} TEMPLATE template0`);
    try {
      const u = new URL(source.url);
      const conn = `-h ${u.hostname} -p ${u.port || 5432} -U ${decodeURIComponent(u.username)}`;
      const start = performance.now();
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', `pg_dump ${conn} --format=custom --compress=0 --no-password ${source.name} | pg_restore ${conn} --no-owner --no-acl --exit-on-error --no-password -d ${target}`], { stdio: ['ignore', 'ignore', 'inherit'] });
      const ms = performance.now() - start;
      if (r.status !== 0) throw new Error(`pg_dump | pg_restore exited ${r.status}`);
      return ms;
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(target)} WITH (FORCE)`);
    }
  };

  const bareBefore = await bare();
  log(`bare pg_dump | pg_restore: ${(bareBefore / 1000).toFixed(1)} s`);
  t = performance.now();
  const r = spawnSync(process.execPath, [packagePath('bin', 'tierctl.js'), 'rehearse', '--from-database', databaseUrl(source.name), '--json'], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true' }, maxBuffer: 64 * 2 ** 20,
  });
  const rehearseMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`tierctl rehearse exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout);
  const bareAfter = await bare();
  log(`rehearse: ${(rehearseMs / 1000).toFixed(1)} s; bare again: ${(bareAfter / 1000).toFixed(1)} s`);

  const phase = (id: string) => report.phases.find((p: { id: string }) => p.id === id)?.durationMs ?? 0;
  const copyMs = phase('source') + phase('sandbox') + phase('copy');
  const bareMs = (bareBefore + bareAfter) / 2;
  const ratio = copyMs / bareMs;
  const profile = (direction: string) => report.profiles.find((p: { direction: string }) => p.direction === direction);
  const migrate = report.deploy.phases.find((p: { id: string }) => p.id === 'migrate');
  const rollback = report.rollback.phases.find((p: { id: string }) => p.id === 'migrate-rollback');
  reportFigure({
    name: 'rehearse-production',
    what: `tierctl rehearse --from-database, production-like (${SHAPE.models} models, ${SHAPE.users} users/subscriptions, ${SHAPE.apiLogs} api_logs): copy phase (inspect + sandbox + pg_dump|pg_restore) vs bare pg_dump -Fc -Z0 | pg_restore, same run`,
    value: Number(ratio.toFixed(2)),
    unit: 'x',
    baseline: `bare pg_dump | pg_restore: ${(bareMs / 1000).toFixed(1)} s (before ${(bareBefore / 1000).toFixed(1)}, after ${(bareAfter / 1000).toFixed(1)})`,
    goal: '<= 1.3',
    met: ratio <= 1.3,
    detail: {
      rehearseWallS: Number((rehearseMs / 1000).toFixed(1)),
      reportTotalS: Number((report.totalMs / 1000).toFixed(1)),
      outcome: report.outcome,
      copyS: Number((copyMs / 1000).toFixed(2)),
      copyDataS: Number((report.copy.dataMs / 1000).toFixed(2)),
      copyIndexesS: Number(((report.copy.durationMs - report.copy.dataMs) / 1000).toFixed(2)),
      phasesMs: Object.fromEntries(report.phases.map((p: { id: string; durationMs: number }) => [p.id, p.durationMs])),
      deployPhasesMs: Object.fromEntries(report.deploy.phases.map((p: { id: string; durationMs: number }) => [p.id, p.durationMs])),
      modelsAccessExclusiveMs: { applyStatements: Number(profile('apply')?.modelsAccessExclusiveMs.toFixed(1)), rollbackStatements: Number(profile('rollback')?.modelsAccessExclusiveMs.toFixed(1)) },
      applyTransactionsHeldMs: migrate?.data?.applied?.map((a: { name: string; heldMs: number }) => `${a.name}: ${Math.round(a.heldMs)}`),
      rollbackPhaseMs: rollback?.durationMs,
      copiedMB: Number((report.copy.bytes / 1e6).toFixed(1)),
      sourceMB: Number((size / 1e6).toFixed(0)),
      generateS: Number((generateMs / 1000).toFixed(1)),
      findings: report.findings.map((f: { severity: string; title: string }) => `${f.severity}: ${f.title}`),
    },
  });
} finally {
  await source.drop();
}
