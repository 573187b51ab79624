#!/usr/bin/env node
// `npm run generate`: Prisma's CLI, for the project's own offline commands (generate,
// validate, format). Prisma's CLI fetches its native schema engine at start, and that host
// may be unreachable; these commands never run the engine, so PRISMA_SCHEMA_ENGINE_BINARY
// points at a placeholder that explains itself if anything does. Only this script sets it:
// `npx prisma ...` (the guide's `prisma --version`, `prisma migrate status`) gets Prisma's
// own engine wherever it can be downloaded. An engine the operator set is kept.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= fileURLToPath(new URL('./no-schema-engine', import.meta.url));
const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
