import type pg from 'pg';

/**
 * What a copy of a database needs from the server it is restored on: the extensions it
 * uses and the roles that own or are granted its objects. Read from a dump's table of
 * contents (and its ACL entries), or from a live database's catalog (read only).
 */
export interface DumpRequirements {
  readonly extensions: readonly string[];
  readonly roles: readonly string[];
}

const TOC_LINE = /^\d+;\s+\d+\s+\d+\s+(.*)$/;

/** From `pg_restore --list` output and the SQL of its ACL entries (GRANT ... TO role). */
export function requirementsFromToc(listing: string, aclSql: string): DumpRequirements {
  const extensions = new Set<string>();
  const roles = new Set<string>();
  for (const line of listing.split('\n')) {
    const body = TOC_LINE.exec(line)?.[1];
    if (!body) continue;
    const ext = /^EXTENSION - (.+?)\s*$/.exec(body);
    if (ext) extensions.add(ext[1]!);
    // `dumpId; tableoid oid DESC schema name owner`: entries without an owner (extensions) end with a space.
    // pg_restore prints the owner unquoted, so a role name with a space in it is read as its last word.
    const owner = /\s$/.test(line) ? undefined : body.split(/\s+/).at(-1);
    if (owner && owner !== '-') roles.add(unquote(owner));
  }
  // pg_dump writes each privilege statement on one line: GRANT ... TO r; REVOKE ... FROM r; ALTER DEFAULT PRIVILEGES FOR ROLE r ...
  for (const line of aclSql.split('\n').filter((l) => /^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES)\b/.test(l))) {
    const to = /\s(?:TO|FROM)\s+(.+?)(?:\s+WITH\s+GRANT\s+OPTION)?(?:\s+GRANTED\s+BY\s+\S+)?;\s*$/i.exec(line);
    for (const r of to?.[1]!.split(',') ?? []) roles.add(unquote(r.trim()));
    const forRole = /\bFOR\s+ROLE\s+("(?:[^"]|"")+"|[^\s,]+)/i.exec(line);
    if (forRole) roles.add(unquote(forRole[1]!));
  }
  roles.delete('PUBLIC');
  return { extensions: [...extensions].sort(), roles: [...roles].filter((r) => !r.startsWith('pg_')).sort() };
}

const unquote = (name: string) => (name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
const NOT_EXTENSION_MEMBER = (classTable: string, oid: string) => `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classTable}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/** From a live database's catalog: what pg_dump would put in the dump. Only reads. */
export async function requirementsFromCatalog(client: pg.ClientBase): Promise<DumpRequirements> {
  const extensions = await client.query<{ name: string }>(`SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`);
  const roles = await client.query<{ name: string }>(
    `WITH objects(owner, acl) AS (
       SELECT c.relowner, c.relacl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
       UNION ALL SELECT n.nspowner, n.nspacl FROM pg_namespace n WHERE ${USER_SCHEMA} AND n.nspname <> 'public'
       UNION ALL SELECT p.proowner, p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
       UNION ALL SELECT t.typowner, t.typacl FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
     ), grantees(oid) AS (
       SELECT owner FROM objects
       UNION SELECT (aclexplode(acl)).grantee FROM objects WHERE acl IS NOT NULL
     )
     SELECT DISTINCT r.rolname AS name FROM grantees g JOIN pg_roles r ON r.oid = g.oid WHERE r.rolname NOT LIKE 'pg\\_%' ORDER BY 1`,
  );
  return { extensions: extensions.rows.map((r) => r.name), roles: roles.rows.map((r) => r.name) };
}

/** What of `needed` the server behind `client` lacks: extensions it cannot install, roles it does not have. */
export async function missingOnServer(client: pg.ClientBase, needed: DumpRequirements): Promise<DumpRequirements> {
  const ext = await client.query<{ name: string }>(`SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])`, [needed.extensions]);
  const roles = await client.query<{ name: string }>(`SELECT rolname AS name FROM pg_roles WHERE rolname = ANY($1::text[])`, [needed.roles]);
  const hasExt = new Set(ext.rows.map((r) => r.name));
  const hasRole = new Set(roles.rows.map((r) => r.name));
  return { extensions: needed.extensions.filter((e) => !hasExt.has(e)), roles: needed.roles.filter((r) => !hasRole.has(r)) };
}
