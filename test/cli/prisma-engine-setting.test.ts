/**
 * Issue 19 item 14: the project's prisma.config.ts leaves Prisma's engine alone, so the
 * guide's `npx prisma --version` / `prisma migrate status` use Prisma's own engine where it
 * can be downloaded; only the project's offline wrapper (`npm run generate`) points it at
 * the placeholder, and that keeps working with no network to Prisma's binaries.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';

const run = promisify(execFile);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PRISMA_SCHEMA_ENGINE_BINARY'));

describe('the Prisma schema engine setting', () => {
  it('prisma.config.ts, loaded as Prisma loads it, does not set PRISMA_SCHEMA_ENGINE_BINARY', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "await import('./prisma.config.ts'); console.log(process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? 'unset')"],
      { cwd: packagePath(), env },
    );
    expect(stdout.trim()).toBe('unset');
  });

  it("the project's wrapper runs Prisma's CLI offline with the placeholder (validate, as generate runs)", async () => {
    const { stdout, stderr } = await run(process.execPath, [packagePath('scripts', 'prisma-offline.js'), 'validate'], { cwd: packagePath(), env, timeout: 60_000 });
    expect(`${stdout}${stderr}`).toMatch(/schema at prisma[/\\]schema\.prisma is valid/);
  }, 70_000);

  it('package.json generates through the wrapper', async () => {
    const pkg = JSON.parse(await readFile(packagePath('package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.generate).toBe('node scripts/prisma-offline.js generate');
  });
});
