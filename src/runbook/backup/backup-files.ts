import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../../shared/failure.js';

/** File names the guide uses, from the backup's local time (`date +%Y%m%d_%H%M%S`). */
export function backupNames(at: Date): { readonly base: string; readonly csv: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}`;
  const time = `${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return { base: `backup_before_tier_migration_${day}_${time}`, csv: `models_before_migration_${day}.csv` };
}

export const dumpName = (base: string) => `${base}.dump`;
export const manifestName = (base: string) => `${base}.manifest.json`;

/** A temporary name in the same directory (so the final rename/link is atomic), hidden and unique. */
export const tempPath = (dir: string, finalName: string) => join(dir, `.${finalName}.${randomBytes(4).toString('hex')}.tmp`);

/** `name_2.ext`, `name_3.ext`, ...: the next free variant of a name when the guide's is taken. */
export function variant(name: string, n: number): string {
  if (n <= 1) return name;
  const dot = name.indexOf('.');
  return dot < 0 ? `${name}_${n}` : `${name.slice(0, dot)}_${n}${name.slice(dot)}`;
}

/**
 * Creates the (empty) temporary files with mode 0600 before anything is written to them:
 * a dump holds password hashes and must not be readable by other users, not even briefly.
 */
export async function createPrivateFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map(async (path) => (await open(path, 'wx', 0o600)).close()));
}

/** Writes `data` over an existing (private) file and waits until it is on disk (fdatasync). */
export async function writeDurably(path: string, data: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(data);
    await file.datasync();
  } finally {
    await file.close();
  }
}

/**
 * Makes the names created in (or removed from) `dir` durable: fsync of the directory, as
 * PostgreSQL's fsync_fname does it (file systems that cannot sync a directory are skipped).
 */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EBADF' && code !== 'EISDIR' && code !== 'EACCES') throw e;
  } finally {
    await handle?.close();
  }
}

const unwritable = (dir: string, why: string) =>
  err<never>(usageFailure('backup_dir_unwritable', `Backup directory ${dir} does not accept new files (${why})`, { hint: 'Choose a directory this user can write to with --dir.' }));

/**
 * The backup directory must exist, be a directory, and take a new file: a file is created
 * and removed to find out (root passes every permission check, yet /proc or a read-only
 * mount refuse new files). Otherwise exit 2 with why.
 */
export async function checkBackupDir(dir: string): Promise<Result<void>> {
  try {
    if (!(await stat(dir)).isDirectory()) return err(usageFailure('backup_dir_invalid', `Backup directory ${dir} is not a directory`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err(usageFailure('backup_dir_missing', `Backup directory ${dir} does not exist`, { hint: 'Create it first (tierctl does not create directories it was not asked to).' }));
    return unwritable(dir, code ?? String(e));
  }
  const probe = tempPath(dir, 'tierctl-write-probe');
  try {
    await (await open(probe, 'wx', 0o600)).close();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    // ENOENT on creating a file in a directory that exists: a file system such as /proc.
    return unwritable(dir, code === 'ENOENT' ? 'its file system does not allow creating files' : code);
  }
  await unlink(probe).catch(() => {});
  return ok(undefined);
}

/** A write error as the operator reads it: disk full is named as such. */
export function writeFailure(what: string, e: unknown): ReturnType<typeof failure> {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || /No space left on device/i.test(String((e as Error).message ?? e))) {
    return failure('disk_full', `Disk full while writing ${what}: no space left on device`, ExitCode.failed, { hint: 'Free space in the backup directory or choose another with --dir; nothing was left under the final names.' });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return usageFailure('backup_dir_unwritable', `Cannot write ${what} (${code})`);
  return failure('backup_write_failed', `Cannot write ${what}: ${(e as Error).message ?? String(e)}`, ExitCode.failed);
}

export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

/** Size and SHA-256 of a file, streamed (dumps can be large) in 1 MiB reads. */
export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Gives a finished temporary file its final name without ever replacing an existing file:
 * `link()` fails with EEXIST where `rename()` would silently overwrite. When the name is
 * taken, tries `name_2.ext`, `name_3.ext`... (`fixed` forbids that). Returns the name used.
 */
export async function publish(dir: string, temp: string, name: string, fixed = false): Promise<string> {
  for (let n = 1; n < 100; n++) {
    const candidate = variant(name, n);
    try {
      await link(temp, join(dir, candidate));
      await unlink(temp);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || fixed) throw e;
    }
  }
  throw new Error(`${name}: 99 variants already exist in ${dir}`);
}

/** Removes files, ignoring those already gone (cleanup after a failure). */
export async function removeQuietly(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => unlink(p).catch(() => {})));
}
