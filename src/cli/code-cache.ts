import Module from 'node:module';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * A V8 code cache for tierctl's own bundles (dist/tierctl/*.cjs), which Node 20 does not
 * keep (it has no `module.enableCompileCache`): a bundle is compiled from the bytecode V8
 * serialized after an earlier run instead of being parsed and compiled again, function by
 * function, as the run reaches them (11% of the instructions `migrate status` runs, 3% of
 * `--help`'s, most of which are Node's own start).
 *
 * The cache lives in the user's cache directory ($XDG_CACHE_HOME or ~/.cache, then
 * tierctl/code-cache), never next to the bundles, which may be read-only. One file per bundle
 * path (two installations do not take turns overwriting one file) and Node version, written
 * once (at exit, when a bundle had no usable cache) to a temporary file and renamed into
 * place, so concurrent runs never read a half-written one. A cache is used only for the
 * bundle it was made from: its first line names the bundle's size and modification time (a
 * rebuild changes them), and V8 itself refuses data made by another V8 version, with other
 * flags or for a source of another length. Whatever goes wrong (no home directory, a
 * read-only or full disk, a corrupt or stale file) only means compiling as usual.
 * TIERCTL_NO_CODE_CACHE=1 turns it off.
 *
 * A bundle that calls `import()` is compiled by Node as usual: a script compiled through
 * node:vm has no ES module loader for its dynamic imports on Node 20 without an
 * experimental flag.
 */

const HEADER = 'tierctl-code-cache 1';
/** A call of `import()` (an identifier, a member or a quoted word before it is not one). */
const DYNAMIC_IMPORT = /(?<![\w$.`'"])import\s*\(/;

interface Pending {
  readonly script: Script;
  readonly file: string;
  readonly stamp: string;
}

/** Serves the bundles in `bundleDir` from the code cache, for the rest of this process. */
export function enableCodeCache(bundleDir: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (env.TIERCTL_NO_CODE_CACHE === '1') return;
  const home = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : '');
  if (!home) return;
  const cacheDir = join(home, 'tierctl', 'code-cache');
  const pending: Pending[] = [];
  const proto = Module.prototype as unknown as { _compile(content: string, filename: string, ...rest: unknown[]): unknown };
  const compile = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string, ...rest: unknown[]) {
    if (dirname(filename) !== bundleDir || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, ...rest);
    const stat = statSync(filename);
    const stamp = `${HEADER} ${stat.size} ${stat.mtimeMs}\n`;
    const file = join(cacheDir, `${basename(filename)}-${fnv1a(bundleDir)}-${process.version}-${process.arch}.bin`);
    const cachedData = readCache(file, stamp);
    const script = new Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData || script.cachedDataRejected) pending.push({ script, file, stamp });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.once('exit', () => writeCaches(cacheDir, pending));
}

/** A short name for a path (FNV-1a, 32 bits, hex). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The V8 data of a cache file made from the bundle as it is now (`stamp`), or undefined. */
function readCache(file: string, stamp: string): Buffer | undefined {
  try {
    const data = readFileSync(file);
    return data.subarray(0, stamp.length).toString('latin1') === stamp ? data.subarray(stamp.length) : undefined;
  } catch {
    return undefined;
  }
}

/** Serializes what V8 compiled of each bundle that had no usable cache (lazily compiled functions included). */
function writeCaches(cacheDir: string, pending: readonly Pending[]): void {
  for (const { script, file, stamp } of pending) {
    const temporary = `${file}.${process.pid}`;
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      writeFileSync(temporary, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]), { mode: 0o600 });
      renameSync(temporary, file);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing to clean up, or nothing more to do about it
      }
    }
  }
}
