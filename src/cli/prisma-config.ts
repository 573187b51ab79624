import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { err, ok, usageFailure, type Result } from '../shared/failure.js';
import { importModule } from './import-module.js';

/** Where Prisma 7 looks for its config file, in its order. */
const CONFIG_FILES = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', '.config/prisma.ts', '.config/prisma.mts', '.config/prisma.cts', '.config/prisma.js', '.config/prisma.mjs', '.config/prisma.cjs'];

async function findConfigFile(root: string): Promise<string | null> {
  for (const name of CONFIG_FILES) {
    const file = join(root, name);
    if (await access(file).then(() => true, () => false)) return file;
  }
  return null;
}

interface LoadedConfig {
  readonly config?: { readonly datasource?: { readonly directUrl?: unknown } };
  readonly error?: { readonly _tag?: string; readonly error?: { readonly message?: string } };
}

/**
 * The `datasource.directUrl` of the project's Prisma config (`prisma.config.ts` in `root`),
 * read by the project's own Prisma (`@prisma/config`, beside its `prisma` package), so the
 * file means exactly what it means to `prisma migrate`. Nothing is loaded unless the file
 * names a `directUrl`: null when there is no file, or no direct URL in it.
 */
export async function prismaConfigDirectUrl(root: string): Promise<Result<{ readonly url: string; readonly file: string } | null>> {
  const file = await findConfigFile(root);
  if (!file) return ok(null);
  if (!/\bdirectUrl\b/.test(await readFile(file, 'utf8'))) return ok(null);
  const unreadable = (why: string) =>
    err(usageFailure('prisma_config_unreadable', `${file} names a directUrl, but it could not be read: ${why}`, { hint: 'Set DIRECT_URL (or --direct-url) instead, or fix the file (`npx prisma validate`).' }));
  let loaded: LoadedConfig;
  try {
    const prismaConfig = createRequire(join(root, 'package.json')).resolve('prisma/config');
    const loader = createRequire(prismaConfig).resolve('@prisma/config');
    const { loadConfigFromFile } = (await importModule(pathToFileURL(loader).href)) as { loadConfigFromFile: (o: { configFile: string; configRoot: string }) => Promise<LoadedConfig> };
    loaded = await loadConfigFromFile({ configFile: file, configRoot: root });
  } catch (e) {
    return unreadable(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  if (loaded.error) return unreadable(loaded.error.error?.message?.split('\n')[0] ?? loaded.error._tag ?? 'unknown error');
  const url = loaded.config?.datasource?.directUrl;
  return ok(typeof url === 'string' && url !== '' ? { url, file } : null);
}
