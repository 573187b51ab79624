import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../../db/sql.js';

/**
 * Safety rule 6: drop only what you can prove you created. Every sandbox database carries
 * a marker, written right after CREATE DATABASE by the process that created it:
 * `COMMENT ON DATABASE` with the format, its own name, and the host, pid and start time
 * of the rehearsal. A database is a sandbox of ours only when its name has the exact shape
 * `tierctl_rehearse_<pid>_<6 hex>` AND its marker names that database and that pid.
 */
export const SANDBOX_PREFIX = 'tierctl_rehearse_';
export const MARKER_FORMAT = 'tierctl-rehearse-sandbox/1';

/** Who is rehearsing: the marker's identity of the process that creates (and may drop) sandboxes. */
export interface SandboxOwner {
  readonly host: string;
  readonly pid: number;
  /** When the owning process started (ISO 8601). */
  readonly startedAt: string;
}

export interface SandboxMarker extends SandboxOwner {
  readonly format: typeof MARKER_FORMAT;
  readonly database: string;
}

const NAME_SHAPE = /^tierctl_rehearse_([1-9]\d{0,9})_[0-9a-f]{6}$/;

/** The pid in a sandbox-shaped name, or null when the name is not exactly a sandbox's. */
export function pidInName(name: string): number | null {
  const m = NAME_SHAPE.exec(name);
  return m ? Number(m[1]) : null;
}

export const markerText = (marker: SandboxMarker): string => JSON.stringify(marker);

/** The marker in a database comment, or null when the comment is not one (absent, edited, another tool's). */
export function parseMarker(comment: string | null): SandboxMarker | null {
  if (!comment) return null;
  try {
    const m = JSON.parse(comment) as Partial<SandboxMarker>;
    if (m.format !== MARKER_FORMAT || typeof m.database !== 'string' || typeof m.host !== 'string' || !Number.isSafeInteger(m.pid) || typeof m.startedAt !== 'string') return null;
    return m as SandboxMarker;
  } catch {
    return null;
  }
}

export async function writeMarker(client: pg.ClientBase, marker: SandboxMarker): Promise<void> {
  await client.query(`COMMENT ON DATABASE ${quoteIdent(marker.database)} IS ${quoteLiteral(markerText(marker))}`);
}

/** LIKE's wildcards and escape character, escaped (the default escape is `\`). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface SandboxCandidate {
  readonly name: string;
  readonly marker: SandboxMarker | null;
}

/** Databases whose names start with the sandbox prefix (literally: `_` escaped), with their markers. */
export async function sandboxCandidates(client: pg.ClientBase): Promise<SandboxCandidate[]> {
  const { rows } = await client.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1 ORDER BY datname`,
    [`${escapeLike(SANDBOX_PREFIX)}%`],
  );
  return rows.map((r) => ({ name: r.datname, marker: parseMarker(r.comment) }));
}

/** What to do with one candidate: drop it (a dead rehearsal of this host), or why it stays. */
export type StaleVerdict = { readonly drop: true; readonly marker: SandboxMarker } | { readonly drop: false; readonly reason: string | null };

/**
 * A candidate is dropped only when everything proves it is a sandbox of a rehearsal that no
 * longer runs: the exact name shape, a marker naming this database and the name's pid, this
 * host (a pid means nothing elsewhere), and that pid not alive. `reason` is null for names
 * that are not sandbox-shaped (someone else's database: not even worth a mention).
 */
export function staleVerdict(c: SandboxCandidate, host: string, isAlive: (pid: number) => boolean): StaleVerdict {
  const pid = pidInName(c.name);
  if (pid === null) return { drop: false, reason: null };
  const m = c.marker;
  if (!m || m.database !== c.name || m.pid !== pid) return { drop: false, reason: 'no tierctl sandbox marker (COMMENT ON DATABASE): not proven to be a rehearsal sandbox' };
  if (m.host !== host) return { drop: false, reason: `made by a rehearsal on host ${m.host}: whether pid ${pid} still runs cannot be checked from here` };
  if (isAlive(pid)) return { drop: false, reason: `pid ${pid} is still running (a rehearsal in progress)` };
  return { drop: true, marker: m };
}
