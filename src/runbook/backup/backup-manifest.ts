import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../../shared/failure.js';

/**
 * The manifest written beside a backup: what was backed up, from where, when, and how
 * to tell later that the files are still the ones written (size and SHA-256).
 */
export const MANIFEST_FORMAT = 'tierctl-backup/1';

const fileEntry = z.strictObject({
  /** File name, relative to the manifest's directory. */
  name: z.string().min(1).refine((n) => !n.includes('/') && n !== '..' && n !== '.', 'must be a plain file name'),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.iso.datetime(),
  database: z.string(),
  /**
   * Which database was dumped: cluster system identifier, database oid and name. Restores
   * and rollbacks refuse a backup of another database by it (absent in manifests written
   * before it was recorded: those are refused where identity matters).
   */
  identity: z.strictObject({ systemIdentifier: z.string().regex(/^\d+$/), databaseOid: z.number().int(), database: z.string() }).optional(),
  /** The connection URL with its password redacted. */
  url: z.string(),
  serverVersion: z.string(),
  pgDumpVersion: z.string(),
  /** Major version of pg_dump: pg_restore must be at least this to read the dump. */
  pgDumpMajor: z.number().int(),
  databaseSizeBytes: z.number().int().min(0),
  files: z.strictObject({ dump: fileEntry, modelsCsv: fileEntry.nullable() }),
  /** `pg_restore --list`: entries in the table of contents, and the tables with a TABLE DATA entry. */
  toc: z.strictObject({ entries: z.number().int().min(0), tableData: z.array(z.string()) }),
  /** Exact row count per `schema.table`, taken in the same snapshot as the dump. */
  rowCounts: z.record(z.string(), z.number().int().min(0)),
  ledger: z.strictObject({
    present: z.boolean(),
    lastApplied: z.string().nullable(),
    applied: z.array(z.string()),
    failed: z.array(z.string()),
  }),
  tierSchema: z.enum(['absent', 'present', 'partial']),
  modelCount: z.number().int().min(0).nullable(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileEntry>;

/**
 * Reads a manifest. A path that cannot be read is a usage error (exit 2); a file that is
 * not a valid manifest is refused (exit 4): a backup whose manifest is damaged cannot be trusted.
 */
export async function readManifest(path: string): Promise<Result<BackupManifest>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return err(usageFailure('manifest_unreadable', `Cannot read backup manifest ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return err(failure('manifest_invalid', `${path} is not valid JSON (${(e as Error).message}): the backup cannot be trusted`, ExitCode.refused));
  }
  const parsed = manifestSchema.safeParse(data);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((i) => `${path} $.${i.path.join('.')}: ${i.message}`);
  return err(failure('manifest_invalid', `${path} is not a valid tierctl backup manifest:\n  ${problems.join('\n  ')}`, ExitCode.refused, { problems }));
}

export const manifestJson = (m: BackupManifest): string => `${JSON.stringify(m, null, 2)}\n`;
