import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';

/**
 * The bundled CLI (scripts/bundle-cli.js, esbuild's metafile): what each command loads
 * before it runs. Start-up time is a benchmark (bench/cli-startup, bench/cli-migrate-status);
 * this keeps heavy modules out of the commands that do not use them.
 */
interface Meta {
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
}

const meta = JSON.parse(readFileSync(packagePath('dist', 'tierctl', 'meta.json'), 'utf8')) as Meta;
const outputs = Object.keys(meta.outputs).filter((o) => /\.c?js$/.test(o));

/** The outputs `entry` loads before it runs (static imports, transitively). */
function loadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const walk = (o: string) => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of meta.outputs[o]!.imports) if (i.kind === 'import-statement' && !i.external && meta.outputs[i.path]) walk(i.path);
  };
  walk(entry);
  return [...seen];
}

/** The packages (node_modules/<name>) and source folders (src/<dir>) behind those outputs. */
function sourcesOf(entry: string): Set<string> {
  const names = loadedBy(entry).flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
  return new Set(names.map((n) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(n)?.[1] ?? n.replace(/^(src\/[^/]+)\/.*/, '$1')));
}

const output = (prefix: string) => {
  const o = outputs.find((x) => x.split('/').at(-1)!.startsWith(`${prefix}-`) || x.endsWith(`/${prefix}.js`) || x.endsWith(`/${prefix}.cjs`));
  if (!o) throw new Error(`no bundled output for ${prefix}`);
  return o;
};

describe('the bundled CLI', () => {
  it('`tierctl --help` loads commander and the command tree only', () => {
    const loaded = sourcesOf(output('main'));
    expect([...loaded].filter((s) => !s.startsWith('src/'))).toEqual(['commander']);
    for (const heavy of ['src/db', 'src/server', 'src/runbook', 'src/verify', 'src/generated']) expect(loaded).not.toContain(heavy);
  });

  it('`tierctl` is CommonJS (no ES module loader for its own code) and requires each command\'s bundle when it runs', () => {
    expect(JSON.parse(readFileSync(packagePath('bin', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(readFileSync(packagePath('bin', 'tierctl.js'), 'utf8')).toContain("require('../dist/tierctl/main.cjs')");
    const main = readFileSync(packagePath('dist', 'tierctl', 'main.cjs'), 'utf8');
    expect(main).toContain('Promise.resolve().then(() => __toESM(require("./migrate-status-action.cjs")');
    expect(main).not.toMatch(/\bimport\.meta\b|\bimport\(/);
    for (const o of outputs) expect(readFileSync(packagePath(o), 'utf8'), o).toMatch(/^"use strict";\n/);
  });

  it('`tierctl migrate status` loads pg and the table, not zod, Prisma, Fastify, pino or execa', () => {
    const loaded = sourcesOf(output('migrate-status-action'));
    expect(loaded).toContain('pg');
    expect(loaded).toContain('cli-table3');
    for (const heavy of ['zod', 'fastify', 'pino', 'execa', 'ora', '@inquirer/prompts', 'bcryptjs', 'src/generated', 'src/server']) expect(loaded).not.toContain(heavy);
    const external = loadedBy(output('migrate-status-action')).flatMap((o) => meta.outputs[o]!.imports.filter((i) => i.external).map((i) => i.path));
    expect(external.filter((p) => p.startsWith('@prisma/'))).toEqual([]);
  });

  it('only the commands that validate documents or run the server load zod', () => {
    for (const light of ['migrate-apply-action', 'preflight-action', 'monitor-action', 'access-action']) {
      expect(sourcesOf(output(light)), light).not.toContain('zod');
    }
  });
});
