import { describe, expect, it } from 'vitest';
import { isLocalDatabase } from '../../src/cli/commands/migrate/migrate-options.js';
import { splitSqlStatements } from '../../src/db/migrations/sql-statements.js';
import { classifyStatement, qualifiedTable, statementLocks } from '../../src/db/migrations/statement-locks.js';
import { parseDuration } from '../../src/shared/duration.js';
import { plainTarget } from '../../src/shared/database-target.js';

describe('splitSqlStatements', () => {
  it('does not split inside quotes, dollar quotes or comments, and drops comments', () => {
    const sql = `-- a comment; not a statement
CREATE FUNCTION notify_models() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('models', 'changed;'); RETURN NEW; END;
$$ LANGUAGE plpgsql;
/* block /* nested; */ comment; */ SELECT 'it''s; fine', "odd;name" FROM t;
SELECT $tag$ a $$ b; $tag$;
SELECT E'a\\'; b';
SELECT $1`;
    expect(splitSqlStatements(sql)).toEqual([
      "CREATE FUNCTION notify_models() RETURNS trigger AS $$\nBEGIN PERFORM pg_notify('models', 'changed;'); RETURN NEW; END;\n$$ LANGUAGE plpgsql",
      `SELECT 'it''s; fine', "odd;name" FROM t`,
      'SELECT $tag$ a $$ b; $tag$',
      "SELECT E'a\\'; b'",
      'SELECT $1',
    ]);
  });
});

describe('classifyStatement: the lock each statement takes', () => {
  const cases: [string, string, string | null, string[], boolean?][] = [
    ['ALTER TABLE "models" ADD COLUMN "x" int', 'ALTER TABLE', 'ACCESS EXCLUSIVE', ['"models"']],
    ['ALTER TABLE ONLY public.models DROP COLUMN x', 'ALTER TABLE', 'ACCESS EXCLUSIVE', ['public.models']],
    ['ALTER TABLE "s" ADD CONSTRAINT "f" FOREIGN KEY ("u") REFERENCES "users"("id")', 'ALTER TABLE', 'SHARE ROW EXCLUSIVE', ['"s"', '"users"']],
    ['ALTER TABLE s VALIDATE CONSTRAINT f', 'ALTER TABLE', 'SHARE UPDATE EXCLUSIVE', ['s']],
    ['CREATE INDEX "i" ON "models"("required_tier")', 'CREATE INDEX', 'SHARE', ['"models"']],
    ['CREATE UNIQUE INDEX IF NOT EXISTS i ON ONLY models (a)', 'CREATE INDEX', 'SHARE', ['models']],
    ['CREATE INDEX CONCURRENTLY i ON models (a)', 'CREATE INDEX CONCURRENTLY', 'SHARE UPDATE EXCLUSIVE', ['models'], false],
    ['DROP INDEX IF EXISTS models_required_tier_idx', 'DROP INDEX', 'ACCESS EXCLUSIVE', ['models_required_tier_idx']],
    ['DROP INDEX CONCURRENTLY i', 'DROP INDEX CONCURRENTLY', 'SHARE UPDATE EXCLUSIVE', [], false],
    ['CREATE TRIGGER t AFTER UPDATE ON models FOR EACH ROW EXECUTE FUNCTION f()', 'CREATE TRIGGER', 'SHARE ROW EXCLUSIVE', ['models']],
    ['DROP TRIGGER IF EXISTS t ON models', 'DROP TRIGGER', 'ACCESS EXCLUSIVE', ['models']],
    ['UPDATE models SET x = 1', 'DML', 'ROW EXCLUSIVE', ['models']],
    ['LOCK TABLE models IN SHARE ROW EXCLUSIVE MODE', 'LOCK TABLE', 'SHARE ROW EXCLUSIVE', ['models']],
    ['SELECT pg_sleep(1)', 'SELECT', null, []],
    ['CREATE TYPE t AS ENUM (\'a\')', 'catalog only', null, []],
    ['CREATE TABLE t (a int REFERENCES users(id))', 'CREATE TABLE', 'SHARE ROW EXCLUSIVE', ['users']],
    ['COMMIT', 'transaction control', null, [], false],
    ['VACUUM models', 'non-transactional', null, [], false],
    ['DO $$ BEGIN END $$', 'DO block', null, []],
  ];
  it.each(cases)('%s', (sql, kind, lock, relations, inTransaction = true) => {
    expect(classifyStatement(sql)).toMatchObject({ kind, lock, relations, inTransaction });
  });

  it('notes a table rewrite, and leaves the unknown to the operator', () => {
    expect(classifyStatement('ALTER TABLE models ALTER COLUMN x TYPE bigint').note).toContain('rewrites the table');
    expect(classifyStatement('CLUSTER models')).toMatchObject({ kind: 'unknown', note: expect.stringContaining('by hand') });
  });

  it('classifies a whole script', () => {
    expect(statementLocks('ALTER TABLE a ADD b int; CREATE INDEX i ON a(b);').map((s) => s.lock)).toEqual(['ACCESS EXCLUSIVE', 'SHARE']);
  });

  it('qualifies and unquotes table names', () => {
    expect(qualifiedTable('"models"', 'public')).toEqual({ schema: 'public', table: 'models' });
    expect(qualifiedTable('Tenant.Models', 'public')).toEqual({ schema: 'tenant', table: 'models' });
    expect(qualifiedTable('"A"."B"', 'public')).toEqual({ schema: 'A', table: 'B' });
  });
});

describe('flags', () => {
  it('parseDuration: units ms, s, m/min; a bare number is seconds', () => {
    expect([parseDuration('5s'), parseDuration('500ms'), parseDuration('2m'), parseDuration('1.5min'), parseDuration('3')]).toEqual([5000, 500, 120_000, 90_000, 3000]);
    expect([parseDuration('soon'), parseDuration('-1s'), parseDuration('')]).toEqual([null, null, null]);
  });

  it('isLocalDatabase: loopback names and Unix sockets only', () => {
    expect(isLocalDatabase(plainTarget('postgresql://u@127.0.0.1:5432/db'))).toBe(true);
    expect(isLocalDatabase(plainTarget('postgresql://u@localhost/db'))).toBe(true);
    expect(isLocalDatabase(plainTarget('postgresql://u@[::1]/db'))).toBe(true);
    expect(isLocalDatabase(plainTarget('postgresql:///db?host=/var/run/postgresql'))).toBe(true);
    expect(isLocalDatabase(plainTarget('postgresql://u@db.internal:5432/db'))).toBe(false);
    expect(isLocalDatabase(plainTarget('postgresql://u@localhost/db?host=db.internal'))).toBe(false);
  });
});
