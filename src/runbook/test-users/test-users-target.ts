import { withClient } from '../../db/pg-connect.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';

/**
 * Before Prisma touches the test users: the database answers (exit 3 otherwise, with the
 * host named and no password) and has the baseline's users and subscriptions (exit 1).
 */
export async function checkUsersSchema(database: DatabaseTarget): Promise<Result<void>> {
  const r = await withClient(database.url, async (client) => {
    const { rows } = await client.query<{ users: boolean; subs: boolean }>(
      `SELECT to_regclass(format('%I.users', $1::text)) IS NOT NULL AS users, to_regclass(format('%I.subscriptions', $1::text)) IS NOT NULL AS subs`,
      [database.schema],
    );
    return rows[0]!.users && rows[0]!.subs;
  });
  if (!r.ok) return r;
  if (!r.value) return err(failure('users_schema_missing', 'No users/subscriptions tables: run tierctl migrate apply first', ExitCode.failed));
  return ok(undefined);
}
