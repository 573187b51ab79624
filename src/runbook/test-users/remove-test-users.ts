import { createPrismaClient } from '../../db/prisma-client.js';
import { removeTestUsers } from '../../db/test-users.js';
import { loadTestUsers } from '../../fixtures/load-fixtures.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import { checkUsersSchema } from './test-users-target.js';
import type { DatabaseTarget } from '../../shared/database-target.js';

/** `tierctl users create --remove`: deletes exactly the fixture's test users (and their subscriptions), nobody else. */
export interface RemoveTestUsersOptions {
  readonly database: DatabaseTarget;
  readonly fixturesDir: string;
}

export interface RemoveTestUsersReport {
  readonly removed: readonly string[];
  /** Listed in the fixture but not in the database. */
  readonly absent: readonly string[];
}

export interface RemoveTestUsersDeps {
  readonly reporter: Reporter;
  /** Asked with the emails that exist, before deleting; false refuses (exit 4). */
  readonly confirm: (emails: readonly string[]) => Promise<boolean>;
}

export async function removeGuideTestUsers(options: RemoveTestUsersOptions, deps: RemoveTestUsersDeps): Promise<Result<RemoveTestUsersReport>> {
  const users = await loadTestUsers(options.fixturesDir);
  if (!users.ok) return users;
  const ready = await checkUsersSchema(options.database);
  if (!ready.ok) return ready;
  const prisma = createPrismaClient(options.database);
  try {
    const emails = users.value.map((u) => u.email);
    const present = (await prisma.user.findMany({ where: { email: { in: emails } }, select: { email: true } })).map((u) => u.email);
    const absent = emails.filter((e) => !present.includes(e));
    if (present.length === 0) {
      deps.reporter.info('None of the test users exist: nothing to remove.');
      return ok({ removed: [], absent });
    }
    if (!(await deps.confirm(present))) return err(failure('not_confirmed', 'Not confirmed: test users left in place.', ExitCode.refused));
    const step = deps.reporter.step(`remove ${present.length} test users`);
    const removed = await removeTestUsers(prisma, users.value);
    step.succeed();
    return ok({ removed, absent });
  } finally {
    await prisma.$disconnect();
  }
}
