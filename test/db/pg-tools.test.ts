import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseToc } from '../../src/db/dump/dump-toc.js';
import { checkToolCanDump, directPgTool, execPg, libpqEnv, parsePgVersion, pgToolVersion, serverVersion, siblingTool, withLibpqEnv } from '../../src/db/dump/pg-tools.js';
import { databaseUrl, useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('none');

describe('PostgreSQL client programs', () => {
  it('parses tool and server versions', () => {
    expect(parsePgVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n')).toEqual({ major: 15, minor: 20, text: '15.20' });
    expect(parsePgVersion('pg_restore (PostgreSQL) 17beta1')).toMatchObject({ major: 17, minor: 0 });
    expect(parsePgVersion('GNU bash, version 5.2')).toBeNull();
    expect(serverVersion(150020)).toEqual({ major: 15, minor: 20, text: '15.20' });
    expect(siblingTool('/opt/pg16/bin/pg_dump', 'pg_restore')).toBe('/opt/pg16/bin/pg_restore');
    expect(siblingTool('pg_dump', 'pg_restore')).toBe('pg_restore');
  });

  it('a pg_dump older than the server is refused with exit 2; same or newer is fine', () => {
    const server = serverVersion(160004);
    const old = checkToolCanDump('/usr/bin/pg_dump', parsePgVersion('pg_dump (PostgreSQL) 15.20')!, server);
    expect(!old.ok && old.failure).toMatchObject({ code: 'pg_tool_too_old', exitCode: 2 });
    expect(!old.ok && old.failure.message).toContain('pg_dump 15.20 cannot dump a PostgreSQL 16.4 server');
    expect(!old.ok && old.failure.hint).toBe(
      'Install pg_dump 16 or newer (e.g. apt-get install postgresql-client-16) and pass it with --pg-dump PATH (e.g. --pg-dump /usr/lib/postgresql/16/bin/pg_dump; pg_restore is taken from beside it).',
    );
    expect(checkToolCanDump('pg_dump', parsePgVersion('17.0')!, server).ok).toBe(true);
  });

  it('reads the installed pg_dump version; a missing one is exit 2 with a hint', async () => {
    const v = await pgToolVersion('pg_dump');
    expect(v.ok && v.value.major).toBeGreaterThanOrEqual(15);
    const missing = await pgToolVersion('/nonexistent/pg_dump');
    expect(!missing.ok && missing.failure).toMatchObject({ code: 'command_not_found', exitCode: 2 });
    expect(!missing.ok && missing.failure.hint).toContain('postgresql-client');
  });

  it('runs pg_restore past Debian\'s Perl wrapper when that layout is there, the same program either way', async () => {
    expect(await directPgTool('/opt/pg/bin/pg_restore')).toBe('/opt/pg/bin/pg_restore');
    const direct = await directPgTool('pg_restore');
    expect(direct === 'pg_restore' || /^\/usr\/lib\/postgresql\/\d+\/bin\/pg_restore$/.test(direct)).toBe(true);
    const [a, b] = [await pgToolVersion(direct), await pgToolVersion('pg_restore')];
    expect(a.ok && a.value).toEqual(b.ok && b.value);
  });

  it('reads the table of contents header: who dumped it', () => {
    const toc = parseToc(';\n;     Dumped by pg_dump version: 15.20 (Debian 15.20-0+deb12u1)\n;\n3350; 0 16390 TABLE DATA public models postgres\n216; 1259 16390 TABLE public models postgres\n');
    expect(toc).toEqual({ entries: 2, tableData: ['public.models'], dumpedBy: { major: 15, minor: 20, text: '15.20' } });
  });

  it('maps a URL to libpq variables, the password kept apart', () => {
    const { env, password } = libpqEnv('postgresql://app%40x:p%3Aw%5Cd@db.example:6543/rephlo-dev?sslmode=require&schema=public');
    expect(env).toEqual({ PGHOST: 'db.example', PGPORT: '6543', PGDATABASE: 'rephlo-dev', PGUSER: 'app@x', PGSSLMODE: 'require', PGAPPNAME: 'tierctl' });
    expect(password).toBe('p:w\\d');
  });

  it('hands the password over in a 0600 passfile that is gone afterwards, never in PGPASSWORD', async () => {
    let seen: { file: string; mode: number; text: string; env: Record<string, string | undefined> } | undefined;
    await withLibpqEnv('postgresql://u:p%3Aw%5Cd@h/db', async (env) => {
      const file = env.PGPASSFILE!;
      seen = { file, mode: (await stat(file)).mode & 0o777, text: await readFile(file, 'utf8'), env };
    });
    expect(seen!.mode).toBe(0o600);
    expect(seen!.text).toBe('*:*:*:*:p\\:w\\\\d\n');
    expect('PGPASSWORD' in seen!.env && seen!.env.PGPASSWORD).toBeUndefined();
    await expect(stat(seen!.file)).rejects.toThrow(/ENOENT/);
    await withLibpqEnv('postgresql://u@h/db', async (env) => expect(env.PGPASSFILE).toBeUndefined());
  });

  it('runs a program against the database with nothing about the connection on its argv', async () => {
    const url = databaseUrl(db().name).replace('postgres@', 'postgres:hunter2secret@');
    const r = await execPg('psql', ['-X', '-At', '-c', 'SELECT current_database()'], url, { env: { PGPASSWORD: 'inherited-must-not-leak' } });
    expect(r.ok && r.value.stdout.trim()).toBe(db().name);
    expect(JSON.stringify(r.ok && r.value.args)).not.toMatch(/hunter2secret|127\.0\.0\.1|postgres/);
  });
});
