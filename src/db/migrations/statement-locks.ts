import { splitSqlStatements } from './sql-statements.js';

/** PostgreSQL's table-level lock modes, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What other sessions can no longer do on the table while the lock is held. */
export const LOCK_EFFECT: Record<LockMode, string> = {
  'ACCESS SHARE': 'blocks only ACCESS EXCLUSIVE',
  'ROW SHARE': 'blocks EXCLUSIVE and ACCESS EXCLUSIVE',
  'ROW EXCLUSIVE': 'blocks SHARE and stronger (not reads or writes)',
  'SHARE UPDATE EXCLUSIVE': 'blocks schema changes and VACUUM, not reads or writes',
  SHARE: 'blocks writes, not reads',
  'SHARE ROW EXCLUSIVE': 'blocks writes, not reads',
  EXCLUSIVE: 'blocks writes and SELECT ... FOR UPDATE, not plain reads',
  'ACCESS EXCLUSIVE': 'blocks reads and writes',
};

export interface StatementLock {
  /** The statement, without comments. */
  readonly sql: string;
  /** e.g. `ALTER TABLE`, `CREATE INDEX`, or `unknown`. */
  readonly kind: string;
  /** The strongest table lock it takes, null when it locks no existing table. */
  readonly lock: LockMode | null;
  /** The relations that lock is taken on, as written (`models`, `"public"."models"`); for DROP INDEX, the index (its table is locked). */
  readonly relations: readonly string[];
  /** False for statements PostgreSQL refuses inside a transaction block. */
  readonly inTransaction: boolean;
  readonly note?: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const NAME = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;
const re = (source: string) => new RegExp(source, 'i');

interface Rule {
  readonly match: RegExp;
  readonly kind: string;
  readonly lock: LockMode | null | ((sql: string) => LockMode);
  /** Index of the capture group holding the table name (default 1). */
  readonly table?: number;
  readonly inTransaction?: false;
  readonly note?: string | ((sql: string) => string | undefined);
}

const NOT_IN_TRANSACTION = 'cannot run inside a transaction block: tierctl runs each migration in one transaction, so split it out';

function alterTableLock(sql: string): LockMode {
  const body = sql.replace(/^ALTER\s+TABLE\s+/i, '');
  if (/\bFOREIGN\s+KEY\b/i.test(body) && !/\b(ADD\s+COLUMN|DROP|ALTER\s+COLUMN|RENAME|TYPE)\b/i.test(body)) return 'SHARE ROW EXCLUSIVE';
  if (/^\S+\s+VALIDATE\s+CONSTRAINT\b/i.test(body.replace(/^(ONLY\s+|IF\s+EXISTS\s+)*/i, ''))) return 'SHARE UPDATE EXCLUSIVE';
  return 'ACCESS EXCLUSIVE';
}

const RULES: readonly Rule[] = [
  { match: re(String.raw`^(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|ROLLBACK(?!\s+TO\b)|PREPARE\s+TRANSACTION)\b`), kind: 'transaction control', lock: null, inTransaction: false, note: 'tierctl runs each migration in its own transaction: remove explicit transaction control' },
  { match: re(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b[\s\S]*?\bON\s+(?:ONLY\s+)?${NAME}`), kind: 'CREATE INDEX CONCURRENTLY', lock: 'SHARE UPDATE EXCLUSIVE', inTransaction: false, note: NOT_IN_TRANSACTION },
  { match: re(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\b[\s\S]*?\bON\s+(?:ONLY\s+)?${NAME}`), kind: 'CREATE INDEX', lock: 'SHARE' },
  { match: re(String.raw`^DROP\s+INDEX\s+CONCURRENTLY\b`), kind: 'DROP INDEX CONCURRENTLY', lock: 'SHARE UPDATE EXCLUSIVE', inTransaction: false, note: NOT_IN_TRANSACTION },
  { match: re(String.raw`^DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?${NAME}`), kind: 'DROP INDEX', lock: 'ACCESS EXCLUSIVE', note: "taken on the index's table" },
  { match: re(String.raw`^REINDEX\b[\s\S]*\bCONCURRENTLY\b`), kind: 'REINDEX CONCURRENTLY', lock: 'SHARE UPDATE EXCLUSIVE', inTransaction: false, note: NOT_IN_TRANSACTION },
  { match: re(String.raw`^REINDEX\s+(?:\([^)]*\)\s*)?(?:TABLE|INDEX)\s+${NAME}`), kind: 'REINDEX', lock: 'SHARE', note: 'ACCESS EXCLUSIVE on the index itself' },
  { match: re(String.raw`^(VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM|CREATE\s+TABLESPACE|DROP\s+TABLESPACE)\b`), kind: 'non-transactional', lock: null, inTransaction: false, note: NOT_IN_TRANSACTION },
  {
    match: re(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}`),
    kind: 'ALTER TABLE',
    lock: alterTableLock,
    note: (sql) => (/\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i.test(sql) ? 'changing a column type rewrites the table while locked' : undefined),
  },
  { match: re(String.raw`^ALTER\s+TYPE\b[\s\S]*\bADD\s+VALUE\b`), kind: 'ALTER TYPE ADD VALUE', lock: null, note: 'the new value cannot be used in the same transaction' },
  { match: re(String.raw`^(DROP\s+TABLE|TRUNCATE)\s+(?:TABLE\s+)?(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}`), kind: 'DROP TABLE / TRUNCATE', lock: 'ACCESS EXCLUSIVE', table: 2 },
  { match: re(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\b[\s\S]*?\bON\s+${NAME}`), kind: 'CREATE TRIGGER', lock: 'SHARE ROW EXCLUSIVE' },
  { match: re(String.raw`^DROP\s+TRIGGER\b[\s\S]*?\bON\s+${NAME}`), kind: 'DROP TRIGGER', lock: 'ACCESS EXCLUSIVE' },
  { match: re(String.raw`^LOCK\s+(?:TABLE\s+)?(?:ONLY\s+)?${NAME}[\s\S]*?\bIN\s+([A-Z ]+?)\s+MODE`), kind: 'LOCK TABLE', lock: (sql) => lockTableMode(sql) },
  { match: re(String.raw`^(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:ONLY\s+)?${NAME}`), kind: 'DML', lock: 'ROW EXCLUSIVE', table: 2 },
  { match: re(String.raw`^CREATE\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\b`), kind: 'CREATE TABLE', lock: null },
  { match: re(String.raw`^(CREATE|DROP|ALTER|COMMENT|GRANT|REVOKE)\b`), kind: 'catalog only', lock: null },
  { match: re(String.raw`^(NOTIFY|LISTEN|UNLISTEN|SET|RESET|SAVEPOINT|RELEASE|ROLLBACK\s+TO)\b`), kind: 'session', lock: null },
  { match: re(String.raw`^SELECT\b[\s\S]*?\bFROM\s+(?:ONLY\s+)?${NAME}`), kind: 'SELECT', lock: 'ACCESS SHARE' },
  { match: re(String.raw`^SELECT\b`), kind: 'SELECT', lock: null },
];

function lockTableMode(sql: string): LockMode {
  const mode = /\bIN\s+([A-Z ]+?)\s+MODE\b/i.exec(sql)?.[1]?.toUpperCase().replace(/\s+/g, ' ');
  return (LOCK_MODES as readonly string[]).includes(mode ?? '') ? (mode as LockMode) : 'ACCESS EXCLUSIVE';
}

/** The tables a FOREIGN KEY ... REFERENCES clause also locks (SHARE ROW EXCLUSIVE). */
function referencedTables(sql: string): string[] {
  return [...sql.matchAll(new RegExp(String.raw`\bREFERENCES\s+${NAME}`, 'gi'))].map((m) => m[1]!);
}

/** Which lock one statement takes, by what kind of statement it is (a small classifier, not a parser). */
export function classifyStatement(sql: string): StatementLock {
  for (const rule of RULES) {
    const m = rule.match.exec(sql);
    if (!m) continue;
    const lock = typeof rule.lock === 'function' ? rule.lock(sql) : rule.lock;
    const table = m[rule.table ?? 1];
    const own = lock && table ? [table] : [];
    const refs = rule.kind === 'ALTER TABLE' || rule.kind === 'CREATE TABLE' ? referencedTables(sql) : [];
    const note = typeof rule.note === 'function' ? rule.note(sql) : rule.note;
    const strongest = lock ?? (refs.length > 0 ? 'SHARE ROW EXCLUSIVE' : null);
    return { sql, kind: rule.kind, lock: strongest, relations: [...own, ...refs], inTransaction: rule.inTransaction ?? true, ...(note ? { note } : {}) };
  }
  if (/^DO\b/i.test(sql)) return { sql, kind: 'DO block', lock: null, relations: [], inTransaction: true, note: 'locks depend on the block: check by hand' };
  return { sql, kind: 'unknown', lock: null, relations: [], inTransaction: true, note: 'not classified: check its locks by hand' };
}

/** Every statement of a script with its lock. */
export const statementLocks = (script: string): StatementLock[] => splitSqlStatements(script).map(classifyStatement);

/** A table name as written, unquoted and qualified with `schema` when it has none: `public.models`. */
export function qualifiedTable(name: string, schema: string): { schema: string; table: string } {
  const parts = [...name.matchAll(new RegExp(IDENT, 'g'))].map((m) => (m[0].startsWith('"') ? m[0].slice(1, -1).replaceAll('""', '"') : m[0].toLowerCase()));
  return parts.length > 1 ? { schema: parts[0]!, table: parts[1]! } : { schema, table: parts[0]! };
}
