/**
 * The fail-closed rule of the catalog loader, ledger state by ledger state, on a database
 * whose `models` has no tier columns: only a ledger that records the tier migration as
 * never applied or rolled back lets enforcement loosen (`policies: none`); applied, failed
 * (unsettled) or unreadable ledgers give `unavailable` models (nothing known before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDdl, LEDGER_TABLE } from '../../src/db/migrations/ledger.js';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { POLICY_UNAVAILABLE } from '../../src/server/queries/model-catalog.js';
import { createGuardedCatalogLoader } from '../../src/server/cache/policy-guard.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('baseline');
const sql = (text: string) => db().pool.query(text);
const row = (finished: string, rolledBack: string) =>
  sql(`INSERT INTO "${LEDGER_TABLE}" (id, checksum, migration_name, finished_at, rolled_back_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, 'x', '${TIER_MIGRATION}', ${finished}, ${rolledBack}, 1)`);
const policiesNow = async () => {
  const catalog = await createGuardedCatalogLoader(db().pool, { schema: 'public' })();
  return { policies: catalog.policies, gpt5: catalog.byId.get('gpt-5')?.policy };
};

beforeAll(async () => {
  await seedSandbox(db(), { assignments: false, users: false });
});

describe('no tier columns on models', () => {
  it('no ledger at all: never applied, nothing to enforce', async () => {
    expect(await policiesNow()).toEqual({ policies: 'none', gpt5: null });
  });

  it('a ledger without the tier migration: never applied', async () => {
    await sql(ledgerDdl('public'));
    expect(await policiesNow()).toEqual({ policies: 'none', gpt5: null });
  });

  it('the tier migration applied: fail closed', async () => {
    await row('now()', 'NULL');
    expect(await policiesNow()).toEqual({ policies: 'unavailable', gpt5: POLICY_UNAVAILABLE });
  });

  it('marked rolled back (prisma migrate resolve --rolled-back): loosens', async () => {
    await sql(`UPDATE "${LEDGER_TABLE}" SET rolled_back_at = now()`);
    expect(await policiesNow()).toEqual({ policies: 'none', gpt5: null });
  });

  it('rolled back, then a failed attempt (unsettled): fail closed', async () => {
    await row('NULL', 'NULL');
    expect(await policiesNow()).toEqual({ policies: 'unavailable', gpt5: POLICY_UNAVAILABLE });
  });

  it('a ledger that cannot be read: fail closed', async () => {
    await sql(`DROP TABLE "${LEDGER_TABLE}"; CREATE TABLE "${LEDGER_TABLE}" (id text)`);
    expect(await policiesNow()).toEqual({ policies: 'unavailable', gpt5: POLICY_UNAVAILABLE });
    await sql(`DROP TABLE "${LEDGER_TABLE}"`);
  });
});
