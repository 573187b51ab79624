import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { adminQuery, useTestDatabase } from '../helpers/test-database.js';

/**
 * Issue 19's conformance walk, against the built CLI: every command's --help (found by
 * walking the tree from `tierctl --help`, so a new command is covered without editing this)
 * has Examples, every leaf its exit codes; and every command with --json prints JSON, with
 * `ok` true exactly when it exits 0, on a throwaway PostgreSQL database.
 */

interface HelpPage {
  readonly path: readonly string[];
  readonly text: string;
  readonly subcommands: readonly string[];
}

/** The names listed under "Commands:" in a help page. */
function subcommandsOf(text: string): string[] {
  const section = text.split(/\n(?=\S)/).find((s) => s.startsWith('Commands:'));
  if (!section) return [];
  return section
    .split('\n')
    .slice(1)
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
}

async function walk(path: readonly string[] = []): Promise<HelpPage[]> {
  const r = await runCli([...path, '--help']);
  expect(r.code, `${path.join(' ')} --help`).toBe(0);
  const subcommands = subcommandsOf(r.stdout);
  const pages: HelpPage[] = [{ path, text: r.stdout, subcommands }];
  for (const sub of await Promise.all(subcommands.map((s) => walk([...path, s])))) pages.push(...sub);
  return pages;
}

const exitCodesIn = (text: string): number[] => [...(/\nExit codes:\n((?: {2}\d+ +.+\n?)+)/.exec(text)?.[1] ?? '').matchAll(/^ {2}(\d+)/gm)].map((m) => Number(m[1]));

let pages: HelpPage[];
/** The codes `tierctl --help` (and the README) document: no command may end with another. */
let DOCUMENTED_EXITS: Set<number>;
beforeAll(async () => {
  pages = await walk();
  DOCUMENTED_EXITS = new Set(exitCodesIn(pages[0]!.text));
  expect([...DOCUMENTED_EXITS]).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 130]));
}, 120_000);

describe('every command --help', () => {
  it('walks at least the commands the README documents', () => {
    const names = pages.map((p) => p.path.join(' '));
    for (const c of ['rehearse', 'fixtures', 'preflight', 'backup', 'backup verify', 'restore', 'migrate status', 'migrate apply', 'migrate rollback', 'migrate baseline', 'migrate resolve', 'seed', 'users create', 'verify', 'deploy', 'rollback', 'serve', 'access explain', 'monitor']) {
      expect(names).toContain(c);
    }
  });

  it('has an Examples section of tierctl command lines', () => {
    for (const p of pages) expect(p.text, p.path.join(' ') || 'tierctl').toMatch(/\nExamples:\n {2}\$ (\S+=\S* )*tierctl /);
  });

  it('on every leaf, an exit-code section listing 0 and only documented codes', () => {
    for (const p of pages.filter((x) => x.subcommands.length === 0)) {
      const name = p.path.join(' ');
      const codes = exitCodesIn(p.text);
      expect(codes, `${name}: no exit-code section`).toContain(0);
      for (const c of codes) expect(DOCUMENTED_EXITS.has(c), `${name}: exit ${c}`).toBe(true);
    }
  });

  it('lists each option once, no parent options as "Global Options", defaults unquoted', () => {
    for (const p of pages) {
      const name = p.path.join(' ');
      const terms = [...p.text.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!);
      expect(terms.length, name).toBe(new Set(terms).size);
      expect(p.text, name).not.toContain('Global Options');
      expect(p.text, name).not.toMatch(/\(default: "/);
    }
  });

  it('--debug is accepted after any command name', async () => {
    expect((await runCli(['fixtures', '--debug'])).code).toBe(0);
    expect((await runCli(['migrate', 'status', '--debug'], { env: { DATABASE_URL: 'postgresql://u@127.0.0.1:1/x' } })).code).toBe(3);
  }, 60_000);

  it('tierctl help A B shows the help of A B', async () => {
    const apply = pages.find((p) => p.path.join(' ') === 'migrate apply')!;
    const r = await runCli(['help', 'migrate', 'apply']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(apply.text);
    expect((await runCli(['help', 'migrate', 'nope'])).code).toBe(2);
  }, 60_000);
});

describe('every --json', () => {
  const db = useTestDatabase('none');
  let dir: string;
  let app: RunningApp;
  const copy = () => `${db().name}_conformance_copy`;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierctl-conformance-'));
  });
  afterAll(async () => {
    await app?.close();
    await adminQuery(`DROP DATABASE IF EXISTS "${copy()}" WITH (FORCE)`);
    await rm(dir, { recursive: true, force: true });
  });

  const ran = new Map<string, CliRun>();
  /** Runs `args --json` against the test database; stdout must be one JSON document whose `ok` says whether it exited 0. */
  async function json(args: readonly string[]): Promise<Record<string, unknown>> {
    const r = await runCli([...args, '--json'], { env: { DATABASE_URL: db().url }, timeoutMs: 120_000 });
    // The command is the longest prefix of args that is a page of the help walk.
    const name = pages.map((p) => p.path.join(' ')).filter((n) => n !== '' && `${args.join(' ')} `.startsWith(`${n} `)).sort((x, y) => y.length - x.length)[0]!;
    ran.set(name, r);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(r.stdout) as Record<string, unknown>;
    } catch {
      throw new Error(`${args.join(' ')} --json (exit ${r.code}) printed no JSON:\n${r.stdout}\n${r.stderr}`);
    }
    expect(DOCUMENTED_EXITS.has(r.code!), `${name}: exit ${r.code}`).toBe(true);
    expect(parsed.ok, `${name}: ok vs exit ${r.code}\n${r.stderr}`).toBe(r.code === 0);
    expect(r.stderr, name).not.toContain('DeprecationWarning');
    expect(r.stderr, name).not.toMatch(/^\s+at /m);
    return parsed;
  }

  it('prints JSON for every command that has --json, on success and on failure alike', async () => {
    await json(['fixtures']);
    await json(['preflight', '--backup-dir', dir]);
    await json(['migrate', 'status']);
    await json(['migrate', 'baseline']); // an empty database has nothing to baseline: refused, as JSON
    await json(['migrate', 'apply']);
    await json(['migrate', 'resolve', '--applied', '20251101000000_baseline']); // P3008: already applied
    await json(['seed', '--catalog', '--yes']);
    await json(['users', 'create']);
    const backup = await json(['backup', '--dir', dir]);
    const manifest = backup.manifestPath as string;
    await json(['backup', 'verify', manifest]);
    await json(['restore', manifest, '--to-database', copy()]);
    await json(['access', 'explain', '--user', 'pro@example.com', '--model', 'gpt-5']);
    app = await startApp(db());
    await json(['verify', '--api-url', app.url]);
    await json(['monitor', '--api-url', app.url]); // reads api_logs: no pg DeprecationWarning (issue 13)
    await json(['migrate', 'rollback', '--dry-run']);
    await json(['deploy', '--api-url', app.url, '--backup-dir', dir, '--journal', join(dir, 'journal.json'), '--yes']); // already deployed: nothing applied
    await json(['rollback', '--backup', manifest, '--yes']);
    await json(['rehearse', '--from-backup', join(dir, 'missing.manifest.json')]); // a whole rehearsal is rehearse-command.test's
    const withJson = pages.filter((p) => /^ {2}--json\b/m.test(p.text)).map((p) => p.path.join(' '));
    expect(withJson.length).toBeGreaterThan(10);
    for (const name of withJson) expect(ran.has(name), `${name} --json was not run`).toBe(true);
  }, 600_000);
});
