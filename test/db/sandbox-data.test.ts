import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { insertSandboxCatalog } from '../../src/db/sandbox-catalog.js';
import { applyTierAssignments, readModelTiers } from '../../src/db/tier-assignments.js';
import { removeTestUsers, upsertTestUsers } from '../../src/db/test-users.js';
import { createPrismaClient } from '../../src/db/prisma-client.js';
import { tierSchemaState } from '../../src/db/tier-columns.js';
import { GUIDE_TEST_PASSWORD, loadSandboxModels, loadTestUsers, loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { unwrap } from '../../src/shared/failure.js';
import { createTestDatabase, useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('all');

describe('sandbox catalog and tier assignments', () => {
  it('inserts the catalog once, then leaves existing models alone', async () => {
    const models = unwrap(await loadSandboxModels());
    const client = await db().pool.connect();
    try {
      expect(await insertSandboxCatalog(client, 'public', models)).toEqual(models.map((m) => m.id));
      expect(await insertSandboxCatalog(client, 'public', models)).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('applies the assignments to the tier fields only, reporting before and after', async () => {
    const assignments = unwrap(await loadTierAssignments());
    const client = await db().pool.connect();
    try {
      const before = await client.query(`SELECT id, name, display_name, credits_per_1k_tokens FROM models ORDER BY id`);
      const outcome = await applyTierAssignments(client, 'public', assignments);
      expect('changes' in outcome && outcome.changes.map((c) => [c.id, c.before.requiredTier, c.after.requiredTier, c.changed])).toEqual([
        ['claude-3.5-sonnet', 'free', 'pro', true],
        ['gemini-2.0-pro', 'free', 'pro', true],
        ['gpt-5', 'free', 'enterprise', true],
      ]);
      const again = await applyTierAssignments(client, 'public', assignments);
      expect('changes' in again && again.changes.every((c) => !c.changed)).toBe(true);
      expect((await client.query(`SELECT id, name, display_name, credits_per_1k_tokens FROM models ORDER BY id`)).rows).toEqual(before.rows);
      expect(await readModelTiers(client, 'public')).toContainEqual({ id: 'gpt-5', requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] });
      expect(await applyTierAssignments(client, 'public', { 'no-such-model': assignments['gpt-5']! })).toEqual({ missing: ['no-such-model'] });
    } finally {
      client.release();
    }
  });
});

describe('test users', () => {
  it('creates the three users with $2b$ hashes and active subscriptions, then is idempotent', async () => {
    const users = unwrap(await loadTestUsers());
    const prisma = createPrismaClient(plainTarget(db().url));
    try {
      const now = new Date();
      const first = await upsertTestUsers(prisma, users, GUIDE_TEST_PASSWORD, now);
      expect(first.map((r) => [r.email, r.tier, r.outcome])).toEqual([
        ['free@example.com', 'free', 'created'],
        ['pro@example.com', 'pro', 'created'],
        ['enterprise@example.com', 'enterprise', 'created'],
      ]);
      const pro = await prisma.user.findUniqueOrThrow({ where: { email: 'pro@example.com' }, include: { subscriptions: true } });
      expect(pro.id).toBe('aaaaaaaa-bbbb-cccc-dddd-000000000002');
      expect(pro.passwordHash).toMatch(/^\$2b\$10\$/);
      expect(await bcrypt.compare(GUIDE_TEST_PASSWORD, pro.passwordHash)).toBe(true);
      expect(pro.subscriptions).toHaveLength(1);
      expect(pro.subscriptions[0]).toMatchObject({ tier: 'pro', status: 'active', creditsPerMonth: 20000 });

      const second = await upsertTestUsers(prisma, users, GUIDE_TEST_PASSWORD, now);
      expect(second.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);

      await prisma.subscription.updateMany({ where: { userId: pro.id }, data: { status: 'expired' } });
      const third = await upsertTestUsers(prisma, users, 'another-password', now);
      expect(third[1]).toMatchObject({ outcome: 'updated', fixed: ['subscription', 'other subscriptions', 'password'] });
      expect(third[0]).toMatchObject({ outcome: 'updated', fixed: ['password'] });

      expect(await removeTestUsers(prisma, users)).toHaveLength(3);
      expect(await prisma.user.count()).toBe(0);
      expect(await prisma.subscription.count()).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('works on a baseline database (the guide creates test users before migrating)', async () => {
    const baseline = await createTestDatabase('baseline');
    const prisma = createPrismaClient(plainTarget(baseline.url));
    try {
      const client = await baseline.pool.connect();
      expect((await tierSchemaState(client, 'public')).state).toBe('absent');
      client.release();
      const r = await upsertTestUsers(prisma, unwrap(await loadTestUsers()), GUIDE_TEST_PASSWORD, new Date());
      expect(r.every((x) => x.outcome === 'created')).toBe(true);
    } finally {
      await prisma.$disconnect();
      await baseline.drop();
    }
  });
});
