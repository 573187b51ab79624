import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../src/shared/package-root.js';

/**
 * The layers of src/, as a table: which folder may import which (a folder always may import
 * its own files and sub-folders). A new arrow is a design decision: add it here, with the
 * README's layout picture (`node scripts/layout-picture.js --write`), in the same change.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  cli: ['runbook', 'verify', 'server', 'db', 'fixtures', 'tier', 'shared'],
  runbook: ['verify', 'db', 'fixtures', 'tier', 'shared'],
  verify: ['db', 'fixtures', 'tier', 'shared'],
  server: ['db', 'tier', 'shared'],
  db: ['fixtures', 'generated', 'shared'],
  fixtures: ['tier', 'shared'],
  tier: [],
  shared: [],
};

/** Sub-folders that belong to one part: only files under `owner` import them. */
const PRIVATE: Readonly<Record<string, string>> = {
  'server/queries': 'server',
};

/** The edges: `process` and `console` are used only by the CLI and the server's entry point. */
const EDGE = (file: string) => file.startsWith('cli/') || file === 'server/main.ts';
/**
 * The one other place that touches `process` (never `console`): the exec adapter builds a
 * child's environment from this process's (filtered by child-env.ts) and stops a shell hook's
 * whole process group (`process.kill(-pid)`), which no child-process API does.
 */
const PROCESS_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = { 'shared/exec.ts': ['process'] };

const srcDir = packagePath('src');
const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.startsWith('generated/')).sort();
const source = (file: string) => readFileSync(`${srcDir}/${file}`, 'utf8');
const topOf = (file: string) => file.split('/')[0]!;

/** Every relative module a file names (static, `import type`, `export from`, dynamic `import()`), as a path under src/. */
function importsOf(file: string): string[] {
  return ts
    .preProcessFile(source(file), true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)));
}

/** Where a file uses the global `process` or `console` (an import of node:process counts too). */
function globalsUsed(file: string): { name: string; line: number }[] {
  const sf = ts.createSourceFile(file, source(file), ts.ScriptTarget.Latest, true);
  const found: { name: string; line: number }[] = [];
  const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && /^(node:)?(process|console)$/.test(n.moduleSpecifier.text)) {
      found.push({ name: n.moduleSpecifier.text.replace('node:', ''), line: at(n) });
    } else if (ts.isIdentifier(n) && (n.text === 'process' || n.text === 'console')) {
      const p = n.parent;
      const member = ts.isPropertyAccessExpression(p) && p.name === n && !(ts.isIdentifier(p.expression) && p.expression.text === 'globalThis');
      const declared = (ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === n;
      if (!member && !declared) found.push({ name: n.text, line: at(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('architecture: the layers of src/', () => {
  it('every folder of src/ is in the table', () => {
    const tops = [...new Set(files.filter((f) => f.includes('/')).map(topOf))].sort();
    expect(tops).toEqual(Object.keys(ALLOWED).sort());
  });

  it('no import runs against the table', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const target of importsOf(file)) {
        const [from, to] = [topOf(file), topOf(target)];
        if (from !== to && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`src/${file} imports src/${target}: ${from} -> ${to} is not in the table`);
        for (const [sub, owner] of Object.entries(PRIVATE)) {
          if (target.startsWith(`${sub}/`) && !file.startsWith(`${owner}/`)) wrong.push(`src/${file} imports src/${target}: ${sub}/ is ${owner}'s own`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('only src/cli and the server entry touch process and console', () => {
    const wrong = files
      .filter((f) => !EDGE(f))
      .flatMap((f) => globalsUsed(f).filter((g) => !(PROCESS_EXCEPTIONS[f] ?? []).includes(g.name)).map((g) => `src/${f}:${g.line} uses ${g.name}`));
    expect(wrong).toEqual([]);
  });

  it('no two files export the same name', () => {
    const exporters = new Map<string, string[]>();
    for (const file of files) {
      const sf = ts.createSourceFile(file, source(file), ts.ScriptTarget.Latest, true);
      const names = new Set<string>();
      for (const st of sf.statements) {
        if (!ts.canHaveModifiers(st) || !ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names.add(d.name.getText(sf));
        else if ('name' in st && st.name && ts.isIdentifier(st.name as ts.Node)) names.add((st.name as ts.Identifier).text);
      }
      for (const n of names) exporters.set(n, [...(exporters.get(n) ?? []), `src/${file}`]);
    }
    expect([...exporters].filter(([, fs]) => fs.length > 1).map(([n, fs]) => `${n}: ${fs.join(', ')}`)).toEqual([]);
  });

  it("the README's layout picture is the one the imports draw (scripts/layout-picture.js)", () => {
    const out = execFileSync(process.execPath, [packagePath('scripts', 'layout-picture.js'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
