/**
 * Tiny tmpfs mounts for the failure cases a normal directory cannot produce as root: a
 * read-only directory (root ignores permission bits) and a full disk. Needs root and
 * mount(2); `mountTmpfs` returns null when that is not possible, and the tests that need
 * it say so by being skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mount {
  readonly path: string;
  unmount(): void;
}

export function mountTmpfs(options: { sizeKb: number; readOnly?: boolean }): Mount | null {
  if (process.getuid?.() !== 0) return null;
  const path = mkdtempSync(join(tmpdir(), 'tierctl-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.sizeKb}k${options.readOnly ? ',ro' : ''}`, 'tmpfs', path], { stdio: 'ignore' });
  } catch {
    rmSync(path, { recursive: true, force: true });
    return null;
  }
  return {
    path,
    unmount() {
      execFileSync('umount', [path], { stdio: 'ignore' });
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export const canMount = (() => {
  const m = mountTmpfs({ sizeKb: 64 });
  m?.unmount();
  return m !== null;
})();
