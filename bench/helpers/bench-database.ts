/** A throwaway migrated and seeded database for the HTTP benchmarks, and a token for a user. */
import { seedSandbox } from '../../test/helpers/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';

export const BENCH_JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef0123456789';

export async function benchDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('all');
  await seedSandbox(db);
  return db;
}

/** Logs a test user in (the tests' helper). */
export { loginToken as login } from '../../test/helpers/api-client.js';
