import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../shared/failure.js';

/**
 * Whether a backup written by `tierctl backup` can stand in for `--accept-loss` when a
 * rollback drops tier data: its manifest parses, its dump is still the file written
 * (SHA-256 and size), it is of this database, and it was taken after the data last
 * changed. Only the manifest fields this needs are read (createdAt, database,
 * files.dump {name, size, sha256}); the rest of the manifest is `tierctl backup`'s business.
 */
const manifestFields = z.object({
  createdAt: z.iso.datetime({ offset: true }),
  database: z.string().min(1),
  files: z.object({
    dump: z.object({
      name: z.string().min(1).refine((n) => !n.includes('/') && n !== '..' && n !== '.', 'must be a plain file name'),
      size: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  }),
});

export interface BackupEvidence {
  readonly manifest: string;
  readonly dump: string;
  readonly createdAt: Date;
  readonly database: string;
  readonly sha256: string;
  readonly size: number;
}

async function sha256Of(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

const refused = (code: string, message: string) => err(failure(code, message, ExitCode.refused));

/** Reads and checks the manifest and its dump; `database` is the name of the database being rolled back. */
export async function verifyBackupEvidence(manifestPath: string, expected: { database: string }): Promise<Result<BackupEvidence>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) return err(usageFailure('manifest_unreadable', `Cannot read backup manifest ${manifestPath} (${code})`));
    return refused('manifest_invalid', `${manifestPath} is not valid JSON: the backup cannot be trusted`);
  }
  const parsed = manifestFields.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`);
    return refused('manifest_invalid', `${manifestPath} is not a tierctl backup manifest: ${problems.join('; ')}`);
  }
  const m = parsed.data;
  const dump = join(dirname(manifestPath), m.files.dump.name);
  const actual = await sha256Of(dump).catch((e: NodeJS.ErrnoException) => e);
  if (actual instanceof Error) return refused('backup_missing', `The dump ${dump} named by ${manifestPath} cannot be read (${actual.code ?? actual.message})`);
  if (actual.sha256 !== m.files.dump.sha256 || actual.size !== m.files.dump.size) {
    return refused('backup_tampered', `The dump ${dump} is not the file the manifest describes (sha256 ${actual.sha256.slice(0, 12)}…, ${actual.size} bytes; manifest: ${m.files.dump.sha256.slice(0, 12)}…, ${m.files.dump.size} bytes)`);
  }
  if (m.database !== expected.database) {
    return refused('backup_other_database', `${manifestPath} is a backup of database "${m.database}", not of "${expected.database}"`);
  }
  return ok({ manifest: manifestPath, dump, createdAt: new Date(m.createdAt), database: m.database, sha256: actual.sha256, size: actual.size });
}
