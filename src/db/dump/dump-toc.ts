import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { execOk } from '../../shared/exec.js';
import { parsePgVersion, PG_CLIENT_HINT, type PgVersion } from './pg-tools.js';

/** A custom-format dump's table of contents, as `pg_restore --list` reads it. */
export interface DumpToc {
  /** Entries in the table of contents (comment lines excluded). */
  readonly entries: number;
  /** `schema.table` of every TABLE DATA entry, sorted. */
  readonly tableData: readonly string[];
  /** The header's "Dumped by pg_dump version", when present. */
  readonly dumpedBy: PgVersion | null;
}

/** Parses `pg_restore --list` output: `3350; 0 16390 TABLE DATA public models postgres`. */
export function parseToc(listing: string): DumpToc {
  const lines = listing.split('\n').filter((l) => /^\d+;/.test(l));
  const tableData = lines
    .map((l) => /^\d+;\s+\d+\s+\d+\s+TABLE DATA\s+(\S+)\s+(.+?)\s+(\S+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}.${m[2]}`)
    .sort();
  const dumpedBy = /^;\s+Dumped by pg_dump version:\s*(.+)$/m.exec(listing)?.[1];
  return { entries: lines.length, tableData, dumpedBy: dumpedBy ? parsePgVersion(dumpedBy) : null };
}

/**
 * Reads a dump's table of contents with `pg_restore --list` (no database involved). A file
 * pg_restore cannot read is a Failure `dump_unreadable` (exit 4: the backup is not usable).
 */
export async function readDumpToc(pgRestore: string, file: string, signal?: AbortSignal): Promise<Result<DumpToc>> {
  const r = await execOk(pgRestore, ['--list', file], { timeoutMs: 120_000, missingHint: PG_CLIENT_HINT, ...(signal ? { signal } : {}) });
  if (!r.ok) {
    if (r.failure.code !== 'command_failed') return r;
    return err(failure('dump_unreadable', `pg_restore cannot read ${file}: ${r.failure.message}`, ExitCode.refused));
  }
  return ok(parseToc(r.value.stdout));
}
