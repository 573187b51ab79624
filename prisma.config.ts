import { defineConfig } from 'prisma/config';

// No engine setting here: `npx prisma` (the guide's `prisma --version`, `prisma migrate
// status`) uses Prisma's own schema engine. Offline, `npm run generate` (and
// `node scripts/prisma-offline.js validate|format`) point it at a placeholder.

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'node bin/tierctl.js seed --yes',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  },
});
