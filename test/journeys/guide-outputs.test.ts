/**
 * Issue 19, items 10 and 11: an operator follows the deployment guide and looks for the
 * outputs it shows. The guide's expected lines of steps 4, 6 and 8 (copied below) are
 * checked against the built CLI on a database at the guide's starting point: the
 * commands one by one, then `tierctl deploy`, whose start hook (step 8) starts
 * `tierctl serve` and whose startup log is read as the guide reads it.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { packagePath } from '../../src/shared/package-root.js';
import { freePort } from '../helpers/free-port.js';
import { jsonOf, useJourney } from '../helpers/journey.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { waitFor } from '../helpers/wait-for.js';

/** The deployment guide's expected output, verbatim, by section ("Deployment Steps"). */
const GUIDE = {
  // "Step 4: Run Database Migration", `npx prisma migrate deploy`: "Expected output:"
  step4: [
    '1 migration found in prisma/migrations',
    'The following migration was applied:',
    'migrations/',
    '  └─ 20251108000000_add_model_tier_access_control/',
    '      └─ migration.sql',
    'Database is now in sync with schema.',
  ],
  // "Step 6: Update Seed Data (Optional)", `npx prisma db seed`: "Expected output:"
  step6: ['Seeding database...', 'Created/updated 3 models', 'Seeding completed successfully'],
  // "Step 8: Restart Backend Services", "Verify startup logs": "Look for:"
  step8: ['Server started on port 3000', 'Database connected successfully', 'ModelService: Initialized'],
} as const;

/**
 * Step 4's lines for this repository: the guide's had one migration, this one ships several
 * (the baseline is applied at the guide's starting point), so the count and the plural follow.
 */
function step4(found: number, applied: readonly string[]): string[] {
  const [count, header, root, folder, file, last] = GUIDE.step4;
  return [
    count.replace('1 migration', `${found} migrations`),
    applied.length > 1 ? header.replace('migration was', 'migrations were') : header,
    root,
    ...applied.flatMap((name) => [folder.replace(TIER_MIGRATION, name), file]),
    last,
  ];
}

/** The migrations `migrate apply` finds, and those pending at the guide's starting point. */
async function migrations() {
  const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return { found: names.length, pending: names.filter((n) => n >= TIER_MIGRATION) };
}

/** The expected lines found in `output`, in order, each a whole line (after `indent`). Equal to `expected` when all are there. */
function inOrder(output: string, expected: readonly string[], indent = ''): string[] {
  const lines = output.split('\n');
  let at = 0;
  return expected.filter((want) => {
    const i = lines.indexOf(indent + want, at);
    if (i >= 0) at = i + 1;
    return i >= 0;
  });
}

describe("the guide's steps 4 and 6, one command each", () => {
  const journey = useJourney('baseline');

  it('step 4: `tierctl migrate apply` prints the count, the applied migrations and the closing line; --json keeps them off stdout', async () => {
    const j = journey();
    const { found, pending } = await migrations();
    const r = await j.tierctl(['migrate', 'apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(inOrder(r.stdout, step4(found, pending))).toEqual(step4(found, pending));
    expect(r.stdout).toContain('locks held (ms)'); // tierctl's own table stays

    const again = await j.tierctl(['migrate', 'apply', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf(again)).toMatchObject({ ok: true, applied: [] });
    const nothing = [`${found} migrations found in prisma/migrations`, 'No pending migrations to apply.', GUIDE.step4[5]];
    expect(inOrder(again.stderr, nothing)).toEqual(nothing);
  }, 60_000);

  it('step 6: `tierctl seed` prints the guide\'s three lines around its before → after table; --json puts them on stderr', async () => {
    const j = journey();
    const r = await j.tierctl(['seed', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(inOrder(r.stdout, GUIDE.step6)).toEqual(GUIDE.step6);
    const table = r.stdout.indexOf('before (required | mode | allowed)');
    expect(table).toBeGreaterThan(r.stdout.indexOf(GUIDE.step6[0]));
    expect(table).toBeLessThan(r.stdout.indexOf(GUIDE.step6[1]));

    const again = await j.tierctl(['seed', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf(again)).toMatchObject({ ok: true, touched: 0 });
    const rerun = [GUIDE.step6[0], 'Created/updated 0 models (3 already up to date)', GUIDE.step6[2]];
    expect(inOrder(again.stderr, rerun)).toEqual(rerun);

    // One model changed since: the count line agrees with its number, and the guide's grep still finds it.
    await j.sql(`UPDATE models SET required_tier = 'free' WHERE id = 'gpt-5'`);
    const one = await j.tierctl(['seed', '--yes']);
    expect(one.code, one.stderr).toBe(0);
    const oneLines = [GUIDE.step6[0], 'Created/updated 1 model (2 already up to date)', GUIDE.step6[2]];
    expect(inOrder(one.stdout, oneLines)).toEqual(oneLines);
    expect(one.stdout.split('\n').filter((l) => l.includes('Created/updated'))).toEqual(['Created/updated 1 model (2 already up to date)']);
  }, 60_000);

  it('a dry run prints none of them: it seeds and applies nothing', async () => {
    const j = journey();
    const seed = await j.tierctl(['seed', '--dry-run']);
    const apply = await j.tierctl(['migrate', 'apply', '--dry-run']);
    expect([seed.code, apply.code]).toEqual([0, 0]);
    for (const line of [...GUIDE.step6, GUIDE.step4[5]]) expect(seed.stdout + seed.stderr + apply.stdout + apply.stderr).not.toContain(line);
  }, 60_000);
});

describe("the guide's steps 4, 6 and 8 inside `tierctl deploy`", () => {
  const journey = useJourney('baseline');
  let servePid: number | undefined;
  afterAll(async () => {
    if (servePid === undefined) return;
    process.kill(servePid, 'SIGTERM');
    await waitFor('the backend started by the hook to stop', async () => {
      try {
        process.kill(servePid!, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('deploy prints the step 4 and 6 lines; its start hook (step 8) starts a backend whose log has the step 8 lines', async () => {
    const j = journey();
    const { found, pending } = await migrations();
    const port = await freePort();
    const log = join(j.dir, 'backend.log');
    // Step 8 as an operator wires it: the start hook runs the backend (`tierctl serve`), which
    // reads JWT_SECRET from the .env beside it (hooks get no secrets from deploy's environment).
    await writeFile(join(j.dir, '.env'), `JWT_SECRET=${TEST_JWT_SECRET}\n`, { mode: 0o600 });
    const start = `${process.execPath} ${packagePath('bin', 'tierctl.js')} serve --port ${port} --database-url ${j.db.url} > ${log} 2>&1 & echo $! > ${join(j.dir, 'backend.pid')}`;
    const r = await j.tierctl(['deploy', '--api-url', `http://127.0.0.1:${port}`, '--backup-dir', j.dir, '--journal', join(j.dir, 'journal.json'), '--seed', '--test-users', '--yes', '--wait', '30', '--json', '--start-cmd', start]);
    servePid = Number(await readFile(join(j.dir, 'backend.pid'), 'utf8'));
    expect(jsonOf<{ outcome: string }>(r).outcome, r.stderr).toBe('succeeded');
    expect(r.code).toBe(0);

    // Progress (stderr) shows each step's guide lines after the phase's line, indented.
    expect(inOrder(r.stderr, step4(found, pending), '  ')).toEqual(step4(found, pending));
    expect(inOrder(r.stderr, GUIDE.step6, '  ')).toEqual(GUIDE.step6);

    // "Verify startup logs ... Look for:" the backend the hook started, on the port deploy checked.
    const messages = (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
    for (const line of GUIDE.step8) expect(messages).toContain(line.replace('port 3000', `port ${port}`));
  }, 120_000);
});

