/**
 * Case 3 of issue 13 and safety rule 3 (content, not clocks), as a rollback drill on a
 * database deployed without tierctl (Prisma's migrations, assignments set by plain SQL):
 * a backup covers a rollback's loss only when its dump holds the live values. A plain-SQL
 * change after the backup (the guide's own troubleshooting does this) is named and refused;
 * a backup taken after it allows the rollback, and restoring that backup gives the values back.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from '../helpers/test-database.js';
import { backupInto, tierColumnNames, tierValues, useJourney } from '../helpers/journey.js';

const journey = useJourney('deployed');

describe('journey: rollback drill on a database seeded by plain SQL', () => {
  it('a change made after the backup is named and refused; a backup holding it allows the rollback, and gives the values back', async () => {
    const j = journey();
    const before = await backupInto(j, 'before-change');
    // The guide's troubleshooting: a model's tier changed by hand (updated_at untouched).
    await j.sql(`UPDATE models SET required_tier = 'enterprise', allowed_tiers = '{enterprise}' WHERE id = 'claude-3.5-sonnet'`);
    const live = await tierValues(j);

    const refused = await j.tierctl(['migrate', 'rollback', '--backup', before, '--yes']);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/claude-3\.5-sonnet: live required_tier=enterprise, tier_restriction_mode=minimum, allowed_tiers=\{enterprise\}; backup required_tier=pro, tier_restriction_mode=minimum, allowed_tiers=\{pro,enterprise\} \(differs: required_tier, allowed_tiers\)/);
    expect(refused.stderr).not.toMatch(/gpt-5: live/);
    expect(await tierValues(j)).toEqual(live);

    const after = await backupInto(j, 'after-change');
    const rolledBack = await j.tierctl(['migrate', 'rollback', '--backup', after, '--yes', '--json']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject({ allowedBy: 'backup' });
    expect(await tierColumnNames(j)).toEqual([]);

    // The drill's proof: the backup restored into a new database holds exactly the values dropped.
    const copy = `${j.db.name}_drill`;
    const restored = await j.tierctl(['restore', after, '--to-database', copy, '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrl(copy) });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT id, required_tier::text AS r, tier_restriction_mode AS m, allowed_tiers::text[] AS a FROM models ORDER BY id`);
      expect(Object.fromEntries(rows.map((r) => [r.id, { requiredTier: r.r, mode: r.m, allowed: r.a }]))).toEqual(live);
    } finally {
      await client.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`);
    }
  });
});
