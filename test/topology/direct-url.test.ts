/**
 * The connection value resolved once at the edge: DATABASE_URL for ordinary queries, the
 * direct URL (--direct-url > DIRECT_URL > prisma.config.ts's datasource.directUrl) for
 * session work, one schema for both, and only redacted forms in messages.
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTarget, onDatabase, sessionUrl } from '../../src/shared/database-target.js';
import { packagePath } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/run-cli.js';
import { useTestDatabase } from '../helpers/test-database.js';

const UNREACHABLE = 'postgresql://app:pooled-secret@127.0.0.1:1/app';

describe('databaseTarget', () => {
  it('takes the schema from ?schema= and gives it to a direct URL that has none', () => {
    const t = databaseTarget('postgresql://u:pw1@pooler:6543/app?schema=tiers', { url: 'postgresql://u:pw2@db:5432/app', source: 'DIRECT_URL' });
    expect(t.ok && t.value).toMatchObject({ schema: 'tiers', directSource: 'DIRECT_URL' });
    if (!t.ok) return;
    expect(new URL(t.value.directUrl!).searchParams.get('schema')).toBe('tiers');
    expect(sessionUrl(t.value)).toBe(t.value.directUrl);
    expect(`${t.value.redacted} ${t.value.redactedDirect}`).not.toMatch(/pw1|pw2/);
    expect(onDatabase(t.value, 'copy').directUrl).toMatch(/db:5432\/copy\?schema=tiers$/);
  });

  it('without a direct URL: public, and session work on DATABASE_URL', () => {
    const t = databaseTarget('postgresql://u@h/app');
    expect(t.ok && t.value).toMatchObject({ schema: 'public', directUrl: null });
    if (t.ok) expect(sessionUrl(t.value)).toBe('postgresql://u@h/app');
  });

  it('refuses two different schemas (exit 2)', () => {
    const t = databaseTarget('postgresql://u@h/app?schema=a', { url: 'postgresql://u@h/app?schema=b', source: '--direct-url' });
    expect(!t.ok && t.failure).toMatchObject({ code: 'schema_mismatch', exitCode: 2 });
  });
});

describe('the CLI resolves the direct URL', () => {
  const db = useTestDatabase('all');
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'tierctl-project-'));
    await symlink(packagePath('node_modules'), join(project, 'node_modules'));
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  const status = (env: Record<string, string>, args: string[] = [], cwd?: string) =>
    runCli(['migrate', 'status', '--json', ...args], { env, ...(cwd ? { cwd } : {}) });

  it('from DIRECT_URL: session work reaches the database while DATABASE_URL does not answer', async () => {
    const r = await status({ DATABASE_URL: UNREACHABLE, DIRECT_URL: db().url });
    expect(r.code, r.stderr).toBe(1); // read: pending migrations (the test database has no ledger)
    expect(JSON.parse(r.stdout)).toMatchObject({ database: 'postgresql://app:***@127.0.0.1:1/app', tierSchema: { state: 'present' } });
    expect(r.stdout + r.stderr).not.toContain('pooled-secret');
  });

  it('--direct-url wins over DIRECT_URL; a bad one is exit 2 without echoing it', async () => {
    expect((await status({ DATABASE_URL: UNREACHABLE, DIRECT_URL: UNREACHABLE }, ['--direct-url', db().url])).code).toBe(1);
    const bad = await status({ DATABASE_URL: db().url, DIRECT_URL: 'mysql://u:hidden@h/db' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('DIRECT_URL');
    expect(bad.stdout + bad.stderr).not.toContain('hidden');
  });

  it("from the project's prisma.config.ts (datasource.directUrl), read by its own Prisma", async () => {
    await writeFile(
      join(project, 'prisma.config.ts'),
      `import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: 'schema.prisma', datasource: { url: process.env.DATABASE_URL, directUrl: process.env.MY_DIRECT } } as never);\n`,
    );
    const r = await status({ DATABASE_URL: UNREACHABLE, MY_DIRECT: db().url }, [], project);
    expect(r.code, r.stdout).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ tierSchema: { state: 'present' } });
    // DIRECT_URL still wins over the file.
    expect((await status({ DATABASE_URL: db().url, DIRECT_URL: UNREACHABLE, MY_DIRECT: db().url }, [], project)).code).toBe(3);
  });

  it('a prisma.config.ts naming a directUrl that cannot be read is exit 2, pointing at DIRECT_URL', async () => {
    await writeFile(join(project, 'prisma.config.ts'), `export default { datasource: { directUrl: ` );
    const r = await status({ DATABASE_URL: db().url }, [], project);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/prisma\.config\.ts names a directUrl, but it could not be read/);
    expect(r.stdout).toContain('DIRECT_URL');
  });

  it('DATABASE_URL and DIRECT_URL naming different schemas: exit 2 before connecting', async () => {
    const r = await status({ DATABASE_URL: `${db().url}?schema=a`, DIRECT_URL: `${db().url}?schema=b` });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/schema \\"a\\".*\\"b\\"/);
  });
});
