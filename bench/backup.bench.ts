/**
 * `tierctl backup` (the runbook step: pg_dump -F c from an exported snapshot, exact row
 * counts, the models CSV, pg_restore --list verification, SHA-256 of every file, manifest,
 * atomic publish) against bare `pg_dump -F c -f FILE`, on a throwaway database with 100k
 * rows in api_logs, alternating in the same run. Goal: <= 1.15x. The CLI (node start-up
 * included) is measured too and reported in `detail`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insertSandboxCatalog } from '../src/db/sandbox-catalog.js';
import { loadSandboxModels } from '../src/fixtures/load-fixtures.js';
import { backupDatabase } from '../src/runbook/backup/backup.js';
import { unwrap } from '../src/shared/failure.js';
import { silentReporter } from '../src/shared/reporter.js';
import { createTestDatabase } from '../test/helpers/test-database.js';
import { median, reportFigure } from './report.js';
import { plainTarget } from '../src/shared/database-target.js';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const ROWS = 100_000;
const bin = fileURLToPath(new URL('../bin/tierctl.js', import.meta.url));

const db = await createTestDatabase('all');
const scratch = mkdtempSync(join(tmpdir(), 'tierctl-bench-backup-'));
try {
  const client = await db.pool.connect();
  try {
    await insertSandboxCatalog(client, 'public', unwrap(await loadSandboxModels()));
    await client.query(
      `INSERT INTO api_logs (user_id, method, path, model_id, status_code, error_code, latency_ms, tier_check_ms, created_at)
       SELECT NULL, 'POST', '/v1/chat/completions', (ARRAY['gpt-5','claude-3.5-sonnet','gemini-2.0-pro','gpt-4o-mini'])[1 + i % 4],
              CASE WHEN i % 7 = 0 THEN 403 ELSE 200 END, CASE WHEN i % 7 = 0 THEN 'model_access_restricted' END,
              random() * 900, random() * 3, now() - make_interval(secs => i)
         FROM generate_series(1, $1) i`,
      [ROWS],
    );
    await client.query('VACUUM ANALYZE');
  } finally {
    client.release();
  }
  const url = new URL(db.url);
  const pgEnv = { ...process.env, PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username), PGDATABASE: db.name };
  let n = 0;
  const fresh = () => mkdtempSync(join(scratch, `run${n++}-`));

  const bare = (): number => {
    const dir = fresh();
    const start = performance.now();
    const r = spawnSync('pg_dump', ['--format=custom', `--file=${join(dir, 'bare.dump')}`, '--no-password'], { env: pgEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`pg_dump exited ${r.status}`);
    rmSync(dir, { recursive: true });
    return ms;
  };
  let dumpBytes = 0;
  const tierctl = async (): Promise<number> => {
    const dir = fresh();
    const start = performance.now();
    const report = unwrap(await backupDatabase({ database: plainTarget(db.url), dir }, { reporter: silentReporter }));
    const ms = performance.now() - start;
    dumpBytes = statSync(report.dumpPath).size;
    rmSync(dir, { recursive: true });
    return ms;
  };
  const cli = (): number => {
    const dir = fresh();
    const start = performance.now();
    const r = spawnSync(process.execPath, [bin, 'backup', '--dir', dir, '--database-url', db.url], { stdio: 'ignore' });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`tierctl backup exited ${r.status}`);
    rmSync(dir, { recursive: true });
    return ms;
  };

  bare();
  await tierctl();
  cli();
  const times = { bare: [] as number[], tierctl: [] as number[], cli: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.bare.push(bare());
    times.tierctl.push(await tierctl());
    times.cli.push(cli());
  }
  const ratio = median(times.tierctl) / median(times.bare);
  const round = (x: number) => Number(x.toFixed(1));
  reportFigure({
    name: 'backup',
    what: `tierctl backup (runbook step) wall time vs bare pg_dump -F c, ${ROWS} api_logs rows (median of ${runs}, alternating)`,
    value: Number(ratio.toFixed(2)),
    unit: 'x',
    baseline: `pg_dump -F c: ${median(times.bare).toFixed(1)} ms`,
    goal: '<= 1.15',
    met: ratio <= 1.15,
    detail: {
      tierctlMs: round(median(times.tierctl)),
      pgDumpMs: round(median(times.bare)),
      cliMs: round(median(times.cli)),
      cliRatio: Number((median(times.cli) / median(times.bare)).toFixed(2)),
      dumpBytes,
      runs,
    },
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await db.drop();
}
