import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral, copyField, dumpTierValues } from '../../src/db/dump/dump-tier-values.js';
import { execPg } from '../../src/db/dump/pg-tools.js';
import { childEnvironment } from '../../src/shared/child-env.js';
import { unwrap } from '../../src/shared/failure.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('tier');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-dumpvalues-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the tier values a dump holds', () => {
  it('reads them from a real pg_dump, awkward ids and arrays included, equal to the live ones', async () => {
    const awkward = ['we"ird\tid\\x', 'new\nline', 'plain', 'ütf-8 ✓'];
    for (const [i, id] of awkward.entries()) {
      await db().pool.query(
        `INSERT INTO models (id, name, display_name, provider, updated_at, required_tier, allowed_tiers) VALUES ($1, $1, $1, 'mock', now(), $2, $3)`,
        [id, ['free', 'pro', 'enterprise', 'pro'][i], [['free'], ['pro', 'enterprise'], [], ['enterprise']][i]],
      );
    }
    const file = join(dir, 'models.dump');
    unwrap(await execPg('pg_dump', ['--format=custom', `--file=${file}`, '--no-password'], db().url));
    const values = unwrap(await dumpTierValues('pg_restore', file, 'public'))!;
    const { rows } = await db().pool.query(`SELECT id, required_tier::text AS r, tier_restriction_mode AS m, allowed_tiers::text[] AS a FROM models ORDER BY id`);
    expect(rows.length).toBe(4);
    for (const r of rows) expect(values.get(r.id)).toEqual({ requiredTier: r.r, tierRestrictionMode: r.m, allowedTiers: r.a });
  });

  it('decodes COPY text fields and array literals', () => {
    expect(copyField('\\N')).toBeNull();
    expect(copyField('a\\tb\\\\c\\nd\\101')).toBe('a\tb\\c\ndA');
    expect(arrayLiteral('{free,pro}')).toEqual(['free', 'pro']);
    expect(arrayLiteral('{}')).toEqual([]);
    expect(arrayLiteral('{"a b","c\\"d",e}')).toEqual(['a b', 'c"d', 'e']);
  });
});

describe('the environment a child process gets', () => {
  const parent = {
    PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', DATABASE_URL: 'postgresql://u:pw@h/db', JWT_SECRET: 's', TIERCTL_TEST_PASSWORD: 'p',
    MY_API_TOKEN: 't', OTHER_URL: 'https://user:secret@example.com/', PGSSLROOTCERT: '/ca.pem', SYSTEMD_UNIT: 'api',
  };
  it('PostgreSQL programs: an allowlist plus what tierctl sets', () => {
    expect(childEnvironment('pg-tool', parent, { PGHOST: 'h', PGPASSWORD: undefined })).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', PGSSLROOTCERT: '/ca.pem', PGHOST: 'h' });
  });
  it('hooks: the operator environment without any secret', () => {
    expect(childEnvironment('hook', parent)).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', PGSSLROOTCERT: '/ca.pem', SYSTEMD_UNIT: 'api' });
  });
});
