/** A throwaway migrated and seeded database for the HTTP benchmarks, and a token for a user. */
import { seedSandbox } from '../../test/helpers/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';

export const BENCH_JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef0123456789';

export async function benchDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('all');
  await seedSandbox(db);
  return db;
}

export async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'Password123!' }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
