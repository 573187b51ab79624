import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue 19 item 3: one parser and one rule for every duration flag. Units ms, s, m, h are
 * accepted everywhere and a bare number is seconds everywhere (`restore --lock-timeout 5`
 * was 5 ms and `5s` was refused; `verify --wait 10s` was "expected number, received NaN").
 */
const db = useTestDatabase('tier');
const RULE = 'expected a duration: 500ms, 5s, 2m, 1h; a bare number is seconds (got "soon")';
const NOWHERE = { DATABASE_URL: 'postgresql://u@127.0.0.1:1/x', API_URL: 'http://127.0.0.1:1' };

const DURATION_FLAGS: readonly (readonly [readonly string[], string])[] = [
  [['preflight'], '--long-transaction'],
  [['restore', 'm.json'], '--lock-timeout'],
  [['migrate', 'apply'], '--wait'],
  [['migrate', 'apply'], '--lock-timeout'],
  [['migrate', 'rollback'], '--lock-timeout'],
  [['migrate', 'baseline'], '--wait'],
  [['deploy'], '--wait'],
  [['deploy'], '--timeout'],
  [['deploy'], '--lock-timeout'],
  [['deploy'], '--hook-timeout'],
  [['rollback'], '--wait'],
  [['rollback'], '--timeout'],
  [['rollback'], '--lock-timeout'],
  [['rollback'], '--hook-timeout'],
  [['verify'], '--wait'],
  [['verify'], '--timeout'],
  [['monitor'], '--watch'],
  [['monitor'], '--timeout'],
];

describe('duration flags', () => {
  it.each(DURATION_FLAGS)('%s %s: a bad value is exit 2 in the one wording, and its help states the rule', async (command, flag) => {
    const r = await runCli([...command, flag, 'soon'], { env: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag}: ${RULE}`);
    const help = await runCli([...command.filter((w) => w !== 'm.json'), '--help']);
    const line = help.stdout.split('\n').findIndex((l) => l.trimStart().startsWith(`${flag} <duration>`));
    expect(line, help.stdout).toBeGreaterThanOrEqual(0);
    expect(help.stdout.split('\n').slice(line, line + 4).join(' ').replace(/\s+/g, ' ')).toContain('a bare number is seconds');
  }, 60_000);

  it('no option takes <ms> or <seconds> any more', async () => {
    for (const command of new Set(DURATION_FLAGS.map(([c]) => c.filter((w) => w !== 'm.json').join(' ')))) {
      const help = await runCli([...command.split(' '), '--help']);
      expect(help.stdout, command).not.toMatch(/<(ms|seconds)>/);
    }
  }, 120_000);

  it('verify --wait 10s is accepted (exit 3: the API is not there), as is a bare number', async () => {
    for (const wait of ['1s', '1', '500ms']) {
      const r = await runCli(['verify', '--api-url', 'http://127.0.0.1:1', '--wait', wait, '--timeout', '1s']);
      expect(r.code, wait).toBe(3);
      expect(r.stderr).not.toContain('expected');
    }
  }, 120_000);

  describe('restore --lock-timeout', () => {
    let dir: string;
    let manifest: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tierctl-durations-'));
      await seedSandbox(db());
      await writeLedgerUpTo(db(), TIER_MIGRATION);
      const b = await runCli(['backup', '--dir', dir, '--database-url', db().url, '--json']);
      expect(b.code, b.stderr).toBe(0);
      manifest = JSON.parse(b.stdout).manifestPath;
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('5 is five seconds, not 5 ms: pg_restore waits for a held lock, then succeeds once it is released', async () => {
      const holder = await db().pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM models LIMIT 1'); // ACCESS SHARE: DROP TABLE must wait for it
        const run = runCli(['restore', manifest, '--database-url', db().url, '--yes', '--lock-timeout', '5', '--json']);
        // With 5 = 5 ms the restore would have given up before anyone saw it wait.
        await waitFor('pg_restore waiting for a lock', async () => {
          const r = await db().pool.query(
            `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted AND a.datname = current_database() AND a.application_name = 'tierctl'`, // pg_restore runs with PGAPPNAME=tierctl
          );
          return r.rowCount! > 0;
        }, 60_000);
        await holder.query('ROLLBACK');
        const r = await run;
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).ok).toBe(true);
      } finally {
        holder.release();
      }
    }, 120_000);

    it('5s is accepted too (it was refused)', async () => {
      const r = await runCli(['restore', manifest, '--database-url', db().url, '--yes', '--lock-timeout', '5s']);
      expect(r.code, r.stderr).toBe(0);
    }, 60_000);
  });
});
