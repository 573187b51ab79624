import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * The bundled CLI compiles its bundles from V8's code cache when an earlier run left one
 * (src/cli/code-cache.ts). The cache only ever changes how fast a command starts: these run
 * `tierctl --help` with the cache in a directory of their own and compare what it prints.
 */
describe('the code cache of the bundled CLI', () => {
  const home = mkdtempSync(join(tmpdir(), 'tierctl-code-cache-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const cacheDir = join(home, 'tierctl', 'code-cache');
  const help = (env: Record<string, string> = {}) => runCli(['--help'], { env: { XDG_CACHE_HOME: home, ...env } });
  const mainCache = () => join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('main.cjs-'))!);
  let expected = '';

  it('is written by the first run, outside the package, and used by the next (left as it is)', async () => {
    const bundles = readdirSync(packagePath('dist', 'tierctl')).sort();
    const first = await help();
    expect(first.code).toBe(0);
    expected = first.stdout;
    expect(expected).toContain('Usage: tierctl');
    expect(readdirSync(packagePath('dist', 'tierctl')).sort()).toEqual(bundles);
    const written = statSync(mainCache()).mtimeMs;
    const second = await help();
    expect(second).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    expect(statSync(mainCache()).mtimeMs).toBe(written);
  });

  it('a cache that is not V8 data for this bundle is compiled past and replaced', async () => {
    const stamp = readFileSync(mainCache(), 'latin1').split('\n')[0]!;
    writeFileSync(mainCache(), `${stamp}\nnot V8 code cache data`);
    expect(await help()).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    expect(statSync(mainCache()).size).toBeGreaterThan(1000);
  });

  it('a cache made from another build of the bundle (its size and modification time) is not used, and is replaced', async () => {
    const file = mainCache();
    const [header, ...rest] = readFileSync(file, 'latin1').split('\n');
    writeFileSync(file, [header!.replace(/^(tierctl-code-cache \d+) \d+ /, '$1 1 '), ...rest].join('\n'), 'latin1');
    expect(await help()).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    expect(readFileSync(file, 'latin1').split('\n')[0]).toBe(header);
  });

  it('a cache directory that cannot be created, or TIERCTL_NO_CODE_CACHE=1: compiled as usual', async () => {
    const notADirectory = join(home, 'a-file');
    writeFileSync(notADirectory, '');
    expect(await help({ XDG_CACHE_HOME: notADirectory })).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    const off = join(home, 'off');
    expect(await help({ XDG_CACHE_HOME: off, TIERCTL_NO_CODE_CACHE: '1' })).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    expect(() => readdirSync(off)).toThrow(/ENOENT/);
  });
});
