import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readDotenv, resolveConfig } from '../../src/shared/config.js';
import { redactUrl } from '../../src/shared/redact-url.js';
import { apiUrl, databaseUrl, port } from '../../src/shared/settings.js';

const settings = { databaseUrl, apiUrl, port: { flag: 'port', env: 'PORT', schema: port, fallback: 3000 } };

describe('resolveConfig', () => {
  it('takes flags over environment over .env', () => {
    const r = resolveConfig(settings, {
      flags: { port: '4000' },
      env: { DATABASE_URL: 'postgresql://env@h/db', PORT: '5000' },
      dotenv: { DATABASE_URL: 'postgresql://dotenv@h/db', API_URL: 'http://dotenv:3000' },
    });
    expect(r).toEqual({ ok: true, value: { databaseUrl: 'postgresql://env@h/db', apiUrl: 'http://dotenv:3000', port: 4000 } });
  });

  it('uses the fallback when nothing sets a value', () => {
    const r = resolveConfig({ port: settings.port }, { flags: {}, env: {}, dotenv: {} });
    expect(r).toEqual({ ok: true, value: { port: 3000 } });
  });

  it('reports every problem at once, exit 2, without echoing secrets', () => {
    const r = resolveConfig(settings, { flags: { port: '99999' }, env: { DATABASE_URL: 'mysql://u:hunter2@h/db' }, dotenv: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.exitCode).toBe(2);
    expect(r.failure.problems).toHaveLength(3);
    expect(r.failure.message).toContain('--database-url / DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(r.failure.message).toContain('--api-url / API_URL: required but not set');
    expect(r.failure.message).toContain('--port / PORT');
    expect(r.failure.message).not.toContain('hunter2');
  });

  it('an empty environment variable counts as unset', () => {
    const r = resolveConfig({ x: { env: 'X', schema: z.string(), fallback: 'default' } }, { flags: {}, env: { X: '' }, dotenv: {} });
    expect(r).toEqual({ ok: true, value: { x: 'default' } });
  });
});

describe('readDotenv', () => {
  it('parses the file TIERCTL_ENV_FILE names; one that is not there is a usage error (exit 2), not ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tierctl-env-'));
    await writeFile(join(dir, '.env'), 'DATABASE_URL="postgresql://a@b/c"\n# comment\nJWT_SECRET=abc\n');
    expect(readDotenv({ TIERCTL_ENV_FILE: join(dir, '.env') })).toEqual({ ok: true, value: { DATABASE_URL: 'postgresql://a@b/c', JWT_SECRET: 'abc' } });
    const missing = readDotenv({ TIERCTL_ENV_FILE: join(dir, 'missing.env') });
    expect(missing).toMatchObject({ ok: false, failure: { code: 'env_file_unreadable', exitCode: 2 } });
    expect(!missing.ok && missing.failure.message).toBe(`TIERCTL_ENV_FILE: cannot read ${join(dir, 'missing.env')} (no such file)`);
    expect(readDotenv({ TIERCTL_ENV_FILE: dir })).toMatchObject({ ok: false, failure: { message: `TIERCTL_ENV_FILE: cannot read ${dir} (a directory, not a file)` } });
  });
});

describe('redactUrl', () => {
  it('hides the password and secret-looking parameters', () => {
    expect(redactUrl('postgresql://admin:s3cr%40t@db.example.com:6543/app?sslmode=require&password=x')).toBe(
      'postgresql://admin:***@db.example.com:6543/app?sslmode=require&password=***',
    );
    expect(redactUrl('postgresql://admin@db/app')).toBe('postgresql://admin@db/app');
    expect(redactUrl('not a url :p@ss')).toBe('<unparseable URL>');
  });
});
