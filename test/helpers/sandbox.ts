/**
 * Puts the sandbox data in a test database through the same functions `tierctl seed`
 * and `tierctl users create` use: the catalog, the tier assignments, the test users.
 */
import { GUIDE_TEST_PASSWORD, loadSandboxModels, loadTestUsers, loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { insertSandboxCatalog } from '../../src/db/sandbox-catalog.js';
import { applyTierAssignments } from '../../src/db/tier-assignments.js';
import { upsertTestUsers } from '../../src/db/test-users.js';
import { createPrismaClient } from '../../src/db/prisma-client.js';
import { unwrap } from '../../src/shared/failure.js';
import type { TestDatabase } from './test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

export interface SandboxOptions {
  /** Apply fixtures/tier-assignments.json (needs the tier migration). Default true. */
  readonly assignments?: boolean;
  /** Create the three test users. Default true. */
  readonly users?: boolean;
  /** The schema to fill (default public). */
  readonly schema?: string;
  /** The test users' password (default the guide's). */
  readonly password?: string;
}

export async function seedSandbox(db: TestDatabase, options: SandboxOptions = {}): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await insertSandboxCatalog(client, options.schema ?? 'public', unwrap(await loadSandboxModels()));
    if (options.assignments ?? true) {
      const outcome = await applyTierAssignments(client, options.schema ?? 'public', unwrap(await loadTierAssignments()));
      if ('missing' in outcome) throw new Error(`sandbox catalog lacks ${outcome.missing.join(', ')}`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
  if (options.users ?? true) {
    const url = new URL(db.url);
    if (options.schema) url.searchParams.set('schema', options.schema);
    const prisma = createPrismaClient(plainTarget(url.toString()));
    try {
      await upsertTestUsers(prisma, unwrap(await loadTestUsers()), options.password ?? GUIDE_TEST_PASSWORD, new Date());
    } finally {
      await prisma.$disconnect();
    }
  }
}
