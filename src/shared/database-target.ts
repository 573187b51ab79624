import { err, ok, usageFailure, type Result } from './failure.js';
import { redactUrl } from './redact-url.js';

/**
 * The database a command or the server works on, resolved once at the edge and passed down
 * as it is: nothing below re-parses a URL for its schema or redacts it again.
 *
 * - `url` (`DATABASE_URL`) serves ordinary queries; it may go through a transaction pooler.
 * - `directUrl` (`DIRECT_URL`, Prisma's `directUrl`) is a session connection for what needs
 *   one: migrations and their advisory lock, backup/restore, lock inspection, LISTEN.
 * - `schema` (`?schema=`, Prisma's convention, default `public`) decides every query's schema.
 */
export interface DatabaseTarget {
  readonly url: string;
  /** null: none configured; session work then runs on `url` once it is known not to be pooled. */
  readonly directUrl: string | null;
  readonly schema: string;
  /** `url` with its password hidden: the form every message and log line uses. */
  readonly redacted: string;
  readonly redactedDirect: string | null;
  /** Where `directUrl` came from (`--direct-url`, `DIRECT_URL`, `prisma.config.ts`), for messages. */
  readonly directSource: string | null;
}

function schemaParam(url: string): string | null {
  try {
    return new URL(url).searchParams.get('schema') || null;
  } catch {
    return null;
  }
}

/** A direct URL without `?schema=` gets the pooled URL's, so both always name the same schema. */
function withSchema(url: string, schema: string): string {
  if (schemaParam(url) !== null || schema === 'public') return url;
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/**
 * The target for `url` and, when one is configured, its direct URL. Both must name the same
 * schema (a direct URL without `?schema=` takes the pooled URL's); a mismatch is exit 2.
 */
export function databaseTarget(url: string, direct?: { readonly url: string; readonly source: string } | null): Result<DatabaseTarget> {
  const schema = schemaParam(url) ?? 'public';
  if (!direct) return ok({ url, directUrl: null, schema, redacted: redactUrl(url), redactedDirect: null, directSource: null });
  const directSchema = schemaParam(direct.url);
  if (directSchema !== null && directSchema !== schema) {
    return err(usageFailure('schema_mismatch', `DATABASE_URL names schema "${schema}" but ${direct.source} names "${directSchema}": both must be the same schema`, {
      hint: 'Give both URLs the same ?schema= (or leave it off the direct URL).',
    }));
  }
  const directUrl = withSchema(direct.url, schema);
  return ok({ url, directUrl, schema, redacted: redactUrl(url), redactedDirect: redactUrl(directUrl), directSource: direct.source });
}

/** For a URL known to be a plain session connection (tests, sandboxes, an admin URL). */
export function plainTarget(url: string): DatabaseTarget {
  const t = databaseTarget(url);
  if (!t.ok) throw new Error(t.failure.message);
  return t.value;
}

/** The URL for session work: the direct URL when there is one. */
export const sessionUrl = (t: DatabaseTarget): string => t.directUrl ?? t.url;
/** Its redacted form. */
export const sessionRedacted = (t: DatabaseTarget): string => t.redactedDirect ?? t.redacted;

/** The same server and settings, another database (restore --to-database, a rehearsal's sandbox). */
export function onDatabase(t: DatabaseTarget, name: string): DatabaseTarget {
  const rename = (url: string) => {
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.toString();
  };
  const directUrl = t.directUrl === null ? null : rename(t.directUrl);
  const url = rename(t.url);
  return { ...t, url, directUrl, redacted: redactUrl(url), redactedDirect: directUrl === null ? null : redactUrl(directUrl) };
}
