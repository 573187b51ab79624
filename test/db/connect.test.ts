import { describe, expect, it } from 'vitest';
import { connectClient, withClient } from '../../src/db/pg-connect.js';
import { createPrismaClient } from '../../src/db/prisma-client.js';
import { ADMIN_URL, databaseUrl, useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('all');

describe('connectClient', () => {
  it('connects and runs a query', async () => {
    const r = await withClient(db().url, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
    expect(r).toEqual({ ok: true, value: 1 });
  });

  it('an unreachable port is exit 3, naming host and port', async () => {
    const r = await connectClient('postgresql://postgres:topsecret@127.0.0.1:1/app');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure).toMatchObject({ code: 'database_unreachable', exitCode: 3 });
    expect(r.failure.message).toContain('127.0.0.1:1');
    expect(r.failure.message).not.toContain('topsecret');
  });

  it('a missing database is exit 3', async () => {
    const r = await connectClient(databaseUrl('tierctl_no_such_database'));
    expect(r.ok || r.failure).toMatchObject({ code: 'database_missing', exitCode: 3 });
  });

  it('a wrong role is exit 3 without echoing the password', async () => {
    const url = new URL(ADMIN_URL);
    url.username = 'no_such_role';
    url.password = 'pa55word';
    const r = await connectClient(url.toString());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.exitCode).toBe(3);
    expect(JSON.stringify(r.failure)).not.toContain('pa55word');
  });
});

describe('createPrismaClient', () => {
  it('reads and writes through the generated client and adapter-pg', async () => {
    const prisma = createPrismaClient(plainTarget(db().url));
    try {
      await prisma.model.create({ data: { id: 'gpt-4o-mini', name: 'GPT-4o mini', displayName: 'GPT-4o mini', provider: 'mock' } });
      const model = await prisma.model.findUniqueOrThrow({ where: { id: 'gpt-4o-mini' } });
      expect(model).toMatchObject({ requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'], capabilities: [] });
    } finally {
      await prisma.$disconnect();
    }
  });
});
