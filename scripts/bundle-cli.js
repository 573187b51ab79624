#!/usr/bin/env node
/**
 * Bundles the CLI (src/cli/main.ts) with esbuild into dist/tierctl/: main.js (commander and
 * the command tree) plus chunks that each command's action imports only when it runs, so a
 * command loads only what it uses (`tierctl --help` loads neither pg nor zod nor Fastify).
 * bin/tierctl.js imports dist/tierctl/main.js; dist/tierctl/meta.json is esbuild's metafile. Run by `npm run build` (and so by `npm ci`'s
 * prepare and `npm test`). The Prisma client's runtime stays in node_modules (it loads its
 * WebAssembly query compiler from there), as does the optional pg-native.
 *
 * Two source edits at bundle time, both for start-up cost on Node 20, both checked to still
 * apply (the build fails if the dependency changed):
 * - pg's stream.js asks "is this Cloudflare Workers?" by constructing a `Response`, which on
 *   Node 20 (no `navigator`) loads Node's whole bundled undici: ~25 ms for every command that
 *   touches PostgreSQL. tierctl runs on Node only, so the answer is fixed to no.
 * - commander requires node:child_process at load for executable subcommands, which tierctl
 *   does not have; it is required when first used instead.
 *
 * Node built-ins imported with `import` are turned into `require` calls: an ESM import of a
 * built-in materializes every export of it (node:util loads its argument parser and MIME
 * code), a require reads only what is used.
 */
import { builtinModules } from 'node:module';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'tierctl');

/** Replaces `from` by `to` in the file whose path matches `filter`; fails if `from` is not there. */
function sourceEdit(name, filter, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes(from)) throw new Error(`${name}: ${args.path} no longer contains ${JSON.stringify(from)}; review the edit`);
        return { contents: text.replace(from, to), loader: 'js' };
      });
    },
  };
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** `import x from 'node:util'` → a CommonJS module re-exporting require('node:util'). */
const builtinsAsRequire = {
  name: 'builtins-as-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) =>
      builtins.has(args.path) && args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin-require' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  external: ['@prisma/client', '@prisma/client/*', '@prisma/adapter-pg', 'pg-native'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __tierctlRequire } from 'node:module'; const require = __tierctlRequire(import.meta.url);" },
  plugins: [
    builtinsAsRequire,
    sourceEdit('pg-node-only', /[\\/]pg[\\/]lib[\\/]stream\.js$/, 'if (isCloudflareRuntime())', 'if (false)'),
    sourceEdit(
      'commander-lazy-child-process',
      /[\\/]commander[\\/]lib[\\/]command\.js$/,
      "const childProcess = require('node:child_process');",
      "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    ),
  ],
});
// What each output holds and imports: test/cli/bundle.test.ts checks what a command loads.
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
