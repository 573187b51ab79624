import { createPrismaClient } from '../../db/prisma-client.js';
import { upsertTestUsers, type TestUserResult } from '../../db/test-users.js';
import { loadTestUsers } from '../../fixtures/load-fixtures.js';
import { ok, type Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import { checkUsersSchema } from './test-users-target.js';
import type { DatabaseTarget } from '../../shared/database-target.js';

/**
 * The guide's "Prepare Test Users": free@, pro@ and enterprise@example.com from
 * fixtures/test-users.json, bcrypt ($2b$) hashes, active subscriptions. Idempotent: a
 * second run reports every user `unchanged`. The password is used, never returned.
 */
export interface CreateTestUsersOptions {
  readonly database: DatabaseTarget;
  readonly fixturesDir: string;
  readonly password: string;
}

export interface CreateTestUsersReport {
  readonly users: readonly TestUserResult[];
  readonly changed: number;
}

export async function createTestUsers(options: CreateTestUsersOptions, deps: { reporter: Reporter; now?: () => Date }): Promise<Result<CreateTestUsersReport>> {
  const users = await loadTestUsers(options.fixturesDir);
  if (!users.ok) return users;
  const ready = await checkUsersSchema(options.database);
  if (!ready.ok) return ready;
  const step = deps.reporter.step(`create ${users.value.length} test users`);
  const prisma = createPrismaClient(options.database);
  try {
    const results = await upsertTestUsers(prisma, users.value, options.password, (deps.now ?? (() => new Date()))());
    const changed = results.filter((r) => r.outcome !== 'unchanged').length;
    step.succeed(changed === 0 ? 'all unchanged' : `${changed} created or updated`);
    return ok({ users: results, changed });
  } finally {
    await prisma.$disconnect();
  }
}
