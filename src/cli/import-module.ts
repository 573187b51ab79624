/**
 * `import()` of an ES module the CLI loads only when needed: ora and inquirer (on a terminal)
 * and Prisma's config loader. In the bundled CLI this stays a file of its own
 * (dist/tierctl/import-module.cjs, scripts/bundle-cli.js) that Node compiles as usual: the
 * command bundles that call it are compiled from V8's code cache (code-cache.ts), and a script
 * compiled that way has no loader for its own `import()` on Node 20.
 */
export const importModule = (specifier: string): Promise<unknown> => import(specifier);
