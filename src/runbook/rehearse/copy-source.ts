import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requirementsFromCatalog, requirementsFromToc, type DumpRequirements } from '../../db/dump/dump-requirements.js';
import { withClient } from '../../db/pg-connect.js';
import { checkToolCanDump, directPgTool, pgToolVersion, serverVersion } from '../../db/dump/pg-tools.js';
import { listTables } from '../../db/table-counts.js';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';
import { execOk } from '../../shared/exec.js';
import { err, ok, type Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import type { DumpFeed } from '../../db/dump/restore-stream.js';
import { checkBackup } from '../backup/check-backup.js';
import { requireSession } from '../../db/pooler-check.js';
import { plainTarget, sessionRedacted, sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';

/**
 * Where the copy of production comes from, described before anything is created: a
 * `tierctl backup` (verified: checksums and `pg_restore --list`) or a live database
 * (inspected read only: one READ ONLY transaction on its catalog; the data is read later
 * by pg_dump alone). Either way: what the copy needs from the sandbox server (extensions,
 * roles), how many tables it has, and how to feed it to pg_restore.
 */
/** A live source is a resolved target: pg_dump and the catalog read go through its session (direct) URL. */
export type SourceSpec = { readonly kind: 'backup'; readonly manifestPath: string } | { readonly kind: 'database'; readonly target: DatabaseTarget };

export interface CopySource {
  readonly kind: SourceSpec['kind'];
  /** The manifest path, or the database URL with its password hidden. */
  readonly label: string;
  readonly database: string;
  /** The schema the application's tables are in (`?schema=` of the source URL, or of the backup's). */
  readonly schema: string;
  readonly serverVersion: string;
  readonly serverMajor: number;
  readonly tables: number;
  /** Dump file size (backup) or the database's size on disk (live database). */
  readonly sizeBytes: number;
  readonly requirements: DumpRequirements;
  readonly feed: DumpFeed;
  /** When a backup was taken; null for a live database (now). */
  readonly takenAt: string | null;
}

export interface SourceDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly pgDump?: string;
  readonly pgRestore?: string;
  /** The environment child programs get (PATH, locale): never this process's secrets. */
  readonly childEnv: Record<string, string>;
}

/** The SQL of the dump's ACL entries (GRANT ... TO role), rendered by pg_restore without a database. */
async function aclSql(pgRestore: string, dump: string, listing: string, childEnv: Record<string, string>, signal?: AbortSignal): Promise<Result<string>> {
  const acl = listing.split('\n').filter((l) => /^\d+;\s+\d+\s+\d+\s+(DEFAULT )?ACL /.test(l));
  if (acl.length === 0) return ok('');
  const dir = await mkdtemp(join(tmpdir(), 'tierctl-acl-'));
  try {
    await writeFile(join(dir, 'acl.list'), `${acl.join('\n')}\n`, { mode: 0o600 });
    const r = await execOk(pgRestore, ['--use-list', join(dir, 'acl.list'), '--file=-', dump], { cleanEnv: true, env: childEnv, timeoutMs: 120_000, ...(signal ? { signal } : {}) });
    return r.ok ? ok(r.value.stdout) : r;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function describeSource(spec: SourceSpec, deps: SourceDeps): Promise<Result<CopySource>> {
  const signal = deps.signal ? { signal: deps.signal } : {};
  if (spec.kind === 'backup') {
    const verified = await checkBackup({ manifestPath: spec.manifestPath, ...(deps.pgRestore ? { pgRestore: deps.pgRestore } : {}) }, { reporter: deps.reporter, ...signal });
    if (!verified.ok) return verified;
    const m = verified.value.manifest;
    const dump = join(dirname(spec.manifestPath), m.files.dump.name);
    const pgRestore = deps.pgRestore ?? (await directPgTool('pg_restore'));
    const listing = await execOk(pgRestore, ['--list', dump], { cleanEnv: true, env: deps.childEnv, timeoutMs: 120_000, ...signal });
    if (!listing.ok) return listing;
    const acl = await aclSql(pgRestore, dump, listing.value.stdout, deps.childEnv, deps.signal);
    if (!acl.ok) return acl;
    return ok({
      kind: 'backup', label: spec.manifestPath, database: m.database, schema: plainTarget(m.url).schema, serverVersion: m.serverVersion, serverMajor: Number(m.serverVersion.split('.')[0]),
      tables: m.toc.tableData.length, sizeBytes: m.files.dump.size, requirements: requirementsFromToc(listing.value.stdout, acl.value),
      feed: { kind: 'file', path: dump }, takenAt: m.createdAt,
    });
  }
  // pg_dump needs a session of its own (one snapshot, its SETs): never through a transaction pooler.
  const session = await requireSession(spec.target, 'pg_dump of the source (rehearse --from-database)');
  if (!session.ok) return session;
  const url = sessionUrl(spec.target);
  const described = await withClient(url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    try {
      const { rows } = await client.query<{ db: string; v: string; size: string }>(
        `SELECT current_database() AS db, current_setting('server_version_num') AS v, pg_database_size(current_database())::bigint AS size`,
      );
      const info = rows[0]!;
      const missing = await missingApiTables(client, spec.target.schema);
      if (missing.length > 0) return { missing };
      return { info, tables: (await listTables(client)).length, requirements: await requirementsFromCatalog(client) };
    } finally {
      await client.query('COMMIT').catch(() => {});
    }
  }, { applicationName: 'tierctl rehearse (source, read only)' });
  if (!described.ok) return described;
  if ('missing' in described.value) return err(missingApiTablesFailure(sessionRedacted(spec.target), spec.target.schema, described.value.missing ?? []));
  const { info, tables, requirements } = described.value;
  const num = Number(info.v);
  // pg_dump refuses a newer server: say so (and which pg_dump to use) before anything is created.
  const pgDump = deps.pgDump ?? 'pg_dump';
  const tool = await pgToolVersion(pgDump, signal);
  if (!tool.ok) return tool;
  const fits = checkToolCanDump(pgDump, tool.value, serverVersion(num));
  if (!fits.ok) return err({ ...fits.failure, hint: `${fits.failure.hint ?? ''} Then pass it with --pg-dump PATH.`.trim() });
  return ok({
    kind: 'database', label: sessionRedacted(spec.target), database: info.db, schema: spec.target.schema, serverVersion: `${Math.floor(num / 10000)}.${num % 10000}`, serverMajor: Math.floor(num / 10000),
    tables, sizeBytes: Number(info.size), requirements, feed: { kind: 'pg_dump', pgDump, sourceUrl: url }, takenAt: null,
  });
}
