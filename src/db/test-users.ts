import bcrypt from 'bcryptjs';
import type { TestUser } from '../fixtures/fixture-schemas.js';
import type { PrismaClient } from './prisma-client.js';

export const BCRYPT_COST = 10;

export type TestUserOutcome = 'created' | 'updated' | 'unchanged';

export interface TestUserResult {
  readonly email: string;
  readonly tier: string;
  readonly outcome: TestUserOutcome;
  /** What was out of date, for `updated`. */
  readonly fixed?: readonly string[];
}

const DAY_MS = 86_400_000;

/**
 * Creates the guide's test users with bcrypt (`$2b$`) password hashes and subscriptions,
 * or brings existing ones back in line. Idempotent: a second run reports `unchanged`.
 * Each user is one transaction. The password never leaves this function.
 */
export async function upsertTestUsers(prisma: PrismaClient, users: readonly TestUser[], password: string, now: Date): Promise<TestUserResult[]> {
  const results: TestUserResult[] = [];
  for (const u of users) {
    const s = u.subscription;
    const periodEnd = new Date(now.getTime() + s.periodDays * DAY_MS);
    const subscriptionData = {
      tier: s.tier,
      status: s.status,
      creditsPerMonth: s.creditsPerMonth,
      priceCents: s.priceCents,
      billingInterval: s.billingInterval,
      currentPeriodStart: now,
      currentPeriodEnd: periodEnd,
    };
    const existing = await prisma.user.findUnique({ where: { email: u.email }, include: { subscriptions: true } });
    if (!existing) {
      const passwordHash = await bcrypt.hash(password, BCRYPT_COST);
      await prisma.user.create({
        data: { id: u.id, email: u.email, emailVerified: true, passwordHash, subscriptions: { create: subscriptionData } },
      });
      results.push({ email: u.email, tier: s.tier, outcome: 'created' });
      continue;
    }
    const fixed: string[] = [];
    const current = existing.subscriptions.find((x) => x.tier === s.tier && x.status === s.status && x.currentPeriodEnd > now);
    const others = existing.subscriptions.filter((x) => x !== current);
    if (!current) fixed.push('subscription');
    if (others.length > 0) fixed.push('other subscriptions');
    const passwordOk = await bcrypt.compare(password, existing.passwordHash);
    if (!passwordOk) fixed.push('password');
    if (fixed.length > 0) {
      const passwordHash = passwordOk ? existing.passwordHash : await bcrypt.hash(password, BCRYPT_COST);
      await prisma.$transaction([
        prisma.subscription.deleteMany({ where: { userId: existing.id, id: { in: others.map((x) => x.id) } } }),
        ...(current ? [] : [prisma.subscription.create({ data: { ...subscriptionData, userId: existing.id } })]),
        prisma.user.update({ where: { id: existing.id }, data: { passwordHash, emailVerified: true } }),
      ]);
    }
    results.push({ email: u.email, tier: s.tier, outcome: fixed.length > 0 ? 'updated' : 'unchanged', ...(fixed.length > 0 ? { fixed } : {}) });
  }
  return results;
}

/** Deletes exactly the listed test users (their subscriptions go with them). Returns the emails removed. */
export async function removeTestUsers(prisma: PrismaClient, users: readonly TestUser[]): Promise<string[]> {
  const emails = users.map((u) => u.email);
  const found = await prisma.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
  await prisma.user.deleteMany({ where: { email: { in: emails } } });
  return found.map((f) => f.email);
}
