import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { APPLICATION_NAME } from './pg-connect.js';

export type { PrismaClient };

/** A Prisma Client over `pg` (Prisma 7's driver adapter: no native query engine). */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, application_name: APPLICATION_NAME, max: 4 });
  return new PrismaClient({ adapter });
}
