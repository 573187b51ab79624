#!/usr/bin/env node
/**
 * Bundles the CLI with esbuild into dist/tierctl/: main.cjs (commander and the command tree,
 * from src/cli/main.ts) and one self-contained bundle per module the CLI imports lazily
 * (each command's action, e.g. migrate-status-action.cjs, plus context.cjs and output.cjs), so
 * a command loads main.cjs and its own bundle: two files, only the code it uses (`--help`
 * loads neither pg nor zod nor Fastify). One file per command instead of esbuild's shared
 * chunks: `migrate status` loaded 33 chunk files, ~15% of its CPU time. Code shared by
 * several commands is repeated in their bundles; TierctlError is recognized across copies
 * (src/shared/failure.ts). Every bundle is CommonJS and main.cjs `require`s a command's
 * bundle when it runs (the source's `import('./x.js')`): no command starts Node's ES module
 * loader for tierctl's own code (resolving, linking and evaluating the action as an ES module
 * was ~5% of `migrate status`' CPU time). bin/tierctl.js requires dist/tierctl/main.cjs;
 * dist/tierctl/meta.json is esbuild's metafile. Run by `npm run build` (and so by `npm ci`'s
 * prepare and `npm test`). The Prisma client's runtime stays in node_modules (it loads its
 * WebAssembly query compiler from there), as do the optional pg-native, and ora and
 * inquirer (terminal only).
 *
 * Three source edits at bundle time, all for start-up cost on Node 20, all checked to still
 * apply (the build fails if the dependency changed):
 * - pg's stream.js asks "is this Cloudflare Workers?" by constructing a `Response`, which on
 *   Node 20 (no `navigator`) loads Node's whole bundled undici: ~25 ms for every command that
 *   touches PostgreSQL. tierctl runs on Node only, so the answer is fixed to no.
 * - commander requires node:child_process at load for executable subcommands, which tierctl
 *   does not have; it is required when first used instead.
 * - string-width (cli-table3's cell measure) answers printable ASCII by its length before
 *   running emoji-regex (see below).
 *
 * Node built-ins are required where the source names them (esbuild's CommonJS output:
 * `import { x } from 'node:fs'` is `require("node:fs")`, with no copy of its exports): the
 * bundles once imported each built-in through a small CommonJS module of its own, which
 * esbuild's interop then copied export by export (~60% of requiring code-cache.cjs, a
 * third of main.cjs' time for `--help`).
 */
import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/**
 * What every build shares: CommonJS for Node 20, strict mode as the ES module sources had it
 * (the banner comes first, so its "use strict" is the file's directive), `import.meta.url` as
 * the bundle's own URL, the source edits.
 */
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  banner: { js: `"use strict";\nconst __tierctlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  define: { 'import.meta.url': '__tierctlImportMetaUrl' },
};
const edits = [
  sourceEdit('pg-node-only', /[\\/]pg[\\/]lib[\\/]stream\.js$/, 'if (isCloudflareRuntime())', 'if (false)'),
  // cli-table3 measures every cell with string-width, which runs emoji-regex's huge pattern
  // over it: compiling that pattern was ~5% of `migrate status`. Printable ASCII (no escape
  // codes, no wide characters) is as wide as it is long; anything else takes the full path.
  sourceEdit(
    'string-width-ascii',
    /[\\/]string-width[\\/]index\.js$/,
    "\tstring = stripAnsi(string);",
    "\tif (/^[\\x20-\\x7e]*$/.test(string)) return string.length;\n\tstring = stripAnsi(string);",
  ),
  sourceEdit(
    'commander-lazy-child-process',
    /[\\/]commander[\\/]lib[\\/]command\.js$/,
    "const childProcess = require('node:child_process');",
    "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
  ),
];

/** The modules src/cli imports lazily (`import('./x.js')`): each becomes dist/tierctl/x.cjs. */
const lazyModules = [
  ...readdirSync(join(root, 'src/cli/commands'), { recursive: true }).filter((f) => f.endsWith('-action.ts')).map((f) => `src/cli/commands/${f}`),
  'src/cli/context.ts',
  'src/cli/output.ts',
];
const lazyNames = new Set(lazyModules.map((m) => `./${basename(m, '.ts')}.js`));

/** In main.cjs, `import('./migrate-status-action.js')` becomes a require of its own bundle next to it, migrate-status-action.cjs. */
const lazyImportsExternal = {
  name: 'lazy-imports-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && lazyNames.has(args.path) ? { path: args.path.replace(/\.js$/, '.cjs'), external: true } : undefined,
    );
  },
};
/** src/cli/import-module.ts stays a file of its own, dist/tierctl/import-module.cjs, which Node compiles (its `import()` works there). */
const importModuleFile = join(root, 'src', 'cli', 'import-module.js');
const importModuleExternal = {
  name: 'import-module-external',
  setup(b) {
    b.onResolve({ filter: /[\\/]import-module\.js$/ }, (args) => (join(args.resolveDir, args.path) === importModuleFile ? { path: './import-module.cjs', external: true } : undefined));
  },
};
const lazyBundles = [...lazyNames].map((m) => m.replace(/\.js$/, '.cjs'));

await rm(outdir, { recursive: true, force: true });
const [main, lazy] = await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    plugins: [lazyImportsExternal, importModuleExternal, ...edits],
    // `import('./x.js')` of a command's bundle as `Promise.resolve().then(() => require('./x.cjs'))`:
    // main.cjs imports nothing else dynamically.
    supported: { 'dynamic-import': false },
    external: [],
  }),
  build({
    ...common,
    // code-cache.cjs: bin/tierctl.js loads it before main.cjs (src/cli/code-cache.ts).
    entryPoints: [...lazyModules, 'src/cli/code-cache.ts', 'src/cli/import-module.ts'],
    entryNames: '[name]',
    plugins: [importModuleExternal, ...edits],
    // The Prisma runtime loads its WebAssembly from node_modules; ora and inquirer only on a terminal.
    external: ['@prisma/client', '@prisma/client/*', '@prisma/adapter-pg', 'pg-native', 'ora', '@inquirer/prompts'],
  }),
]);
// A command's bundle is required only when it runs: every require of one in main.cjs is the lowered import().
const mainText = await readFile(join(outdir, 'main.cjs'), 'utf8');
for (const m of lazyBundles) if (!mainText.includes(`Promise.resolve().then(() => __toESM(require(${JSON.stringify(m)})`)) throw new Error(`main.cjs does not load ${m} lazily`);
const eager = [...mainText.matchAll(/(.{0,40})\brequire\("(\.\/[a-z-]+\.cjs)"\)/g)].filter(([, before]) => !before.endsWith('Promise.resolve().then(() => __toESM('));
if (eager.length > 0) throw new Error(`main.cjs requires ${eager.map(([, , m]) => m).join(', ')} when it loads: only when the command runs`);
if (/\bimport\(/.test(mainText)) throw new Error('main.cjs imports an ES module: a command\'s bundle is required');
// What each output holds and imports: test/cli/bundle.test.ts checks what a command loads.
await writeFile(join(outdir, 'meta.json'), JSON.stringify({ outputs: { ...main.metafile.outputs, ...lazy.metafile.outputs } }));
