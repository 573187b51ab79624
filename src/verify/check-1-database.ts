import { withClient } from '../db/pg-connect.js';
import { readModelTiers } from '../db/tier-assignments.js';
import { tierSchemaState } from '../db/tier-columns.js';
import { missingApiTables, missingApiTablesFailure } from '../db/missing-api-tables.js';
import { fail, pass, skipped, type Verdict } from './check-result.js';
import type { VerifyContext } from './verify-context.js';

// allowed_tiers is a set of tiers: the order it is stored in means nothing.
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Test 1: every model has non-null tier fields, and the assignments equal tier-assignments.json. */
export async function checkDatabase(ctx: VerifyContext): Promise<Verdict> {
  if (!ctx.database) return skipped('needs --database-url (or DATABASE_URL): the database is not checked without it');
  const { schema } = ctx.database;
  const read = await withClient(ctx.database.url, async (client) => {
    const missing = await missingApiTables(client, schema, ['models']);
    if (missing.length > 0) return { rows: null, present: [], missing: missingApiTablesFailure(ctx.database!.redacted, schema, missing).message };
    const tier = await tierSchemaState(client, schema);
    return tier.state === 'present' ? { rows: await readModelTiers(client, schema), present: [] } : { rows: null, present: [...tier.columns, ...tier.indexes] };
  });
  const query = `SELECT id, required_tier, tier_restriction_mode, allowed_tiers FROM ${schema}.models`;
  if (!read.ok) return fail(read.failure.message, { request: query, expected: 'a reachable database', actual: read.failure.message });
  if ('missing' in read.value && read.value.missing) return fail(read.value.missing, { request: query, expected: 'the API\'s models table', actual: read.value.missing });
  if (read.value.rows === null) {
    return fail('the tier columns and indexes are not all there: is the migration applied?', { request: query, expected: 'required_tier, tier_restriction_mode, allowed_tiers and both indexes', actual: `present: ${read.value.present.join(', ') || 'none'}` });
  }
  const rows = read.value.rows;
  const problems: string[] = [];
  for (const r of rows) {
    if (r.requiredTier === null || r.tierRestrictionMode === null || r.allowedTiers === null) problems.push(`${r.id} has a NULL tier field`);
  }
  for (const [id, want] of ctx.expectations.policies) {
    const r = rows.find((x) => x.id === id);
    if (!r) problems.push(`${id} is not in the models table`);
    else if (r.requiredTier !== want.requiredTier || r.tierRestrictionMode !== want.tierRestrictionMode || !same(r.allowedTiers ?? [], want.allowedTiers)) {
      problems.push(`${id} is ${r.requiredTier} | ${r.tierRestrictionMode} | {${r.allowedTiers?.join(',')}}, expected ${want.requiredTier} | ${want.tierRestrictionMode} | {${want.allowedTiers.join(',')}}`);
    }
  }
  if (problems.length > 0) {
    return fail(problems.join('; '), { request: query, expected: 'non-null tier fields; assignments as in tier-assignments.json', actual: problems.join('; ') });
  }
  return pass(`${rows.length} models with non-null tier fields; ${ctx.expectations.policies.size} assignments as in the fixtures`);
}
