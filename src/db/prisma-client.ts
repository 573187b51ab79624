import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { DatabaseTarget } from '../shared/database-target.js';
import { APPLICATION_NAME } from './pg-connect.js';

export type { PrismaClient };

/** A Prisma Client over `pg` (Prisma 7's driver adapter: no native query engine), its queries qualified with the target's schema. */
export function createPrismaClient(target: DatabaseTarget): PrismaClient {
  const adapter = new PrismaPg({ connectionString: target.url, application_name: APPLICATION_NAME, max: 4 }, { schema: target.schema });
  return new PrismaClient({ adapter });
}
