import { withClient } from '../../db/pg-connect.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import { err, ok, type Result } from '../../shared/failure.js';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';

/**
 * Before Prisma touches the test users: the database answers (exit 3 otherwise, with the
 * host named and no password) and has the baseline's users and subscriptions (exit 2
 * otherwise, naming the missing tables and the database: a wrong URL or ?schema=).
 */
export async function checkUsersSchema(database: DatabaseTarget): Promise<Result<void>> {
  const r = await withClient(database.url, (client) => missingApiTables(client, database.schema, ['users', 'subscriptions']));
  if (!r.ok) return r;
  if (r.value.length > 0) return err(missingApiTablesFailure(database.redacted, database.schema, r.value));
  return ok(undefined);
}
