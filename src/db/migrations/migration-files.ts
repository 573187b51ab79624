import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../shared/exit-codes.js';
import { TierctlError, failure } from '../../shared/failure.js';
import { packagePath } from '../../shared/package-root.js';

export const MIGRATIONS_DIR = packagePath('prisma', 'migrations');

/** How messages name a migrations directory: the packaged one as the guide does (prisma/migrations), any other (TIERCTL_MIGRATIONS_DIR, --migrations-dir) as given. */
export const migrationsDirLabel = (dir: string): string => (dir === MIGRATIONS_DIR ? 'prisma/migrations' : dir);

/** The migration this project exists for. */
export const TIER_MIGRATION = '20251108000000_add_model_tier_access_control';

export interface MigrationFile {
  /** The folder name, which is also the ledger's `migration_name`. */
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of migration.sql's bytes, lowercase hex, as Prisma records it. */
  readonly checksum: string;
  /** The committed down.sql, or null when the migration cannot be rolled back. */
  readonly downSql: string | null;
}

/** SHA-256 of the file's bytes, lowercase hex: Prisma's migration checksum. */
export function migrationChecksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Synchronous on purpose: a CLI reading a dozen small files at start-up; through fs/promises
 * each read was a file handle, four thread-pool trips and their promises (~10% of `migrate
 * status`'s CPU time).
 */
function readOptional(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Every migration folder, in Prisma's order (plain string order of the folder names). */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = readdirSync(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = readOptional(join(dir, name, 'migration.sql'));
      if (!bytes) {
        throw new TierctlError(failure('migration_file_missing', `${join(dir, name)} has no migration.sql`, ExitCode.usage));
      }
      const down = readOptional(join(dir, name, 'down.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes), downSql: down?.toString('utf8') ?? null };
    }),
  );
}

/** Reads migration_lock.toml and refuses a provider other than postgresql (Prisma's P3019). */
export async function checkMigrationLock(dir = MIGRATIONS_DIR): Promise<void> {
  const text = readOptional(join(dir, 'migration_lock.toml'))?.toString('utf8');
  const provider = text?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== 'postgresql') {
    const found = text === undefined ? 'no migration_lock.toml' : `provider "${provider ?? '(none)'}"`;
    throw new TierctlError(
      failure('migration_lock_mismatch', `${join(dir, 'migration_lock.toml')}: expected provider "postgresql", found ${found}`, ExitCode.usage, {
        hint: 'These migrations were written for another database provider (Prisma P3019).',
      }),
    );
  }
}
