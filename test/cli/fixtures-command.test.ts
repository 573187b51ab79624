import { mkdtemp, cp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-fixtures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copyWith(file: string, edit: (json: any) => void): Promise<string> {
  const target = await mkdtemp(join(dir, 'case-'));
  await cp(FIXTURES_DIR, target, { recursive: true });
  const json = JSON.parse(await readFile(join(target, file), 'utf8'));
  edit(json);
  await writeFile(join(target, file), JSON.stringify(json));
  return target;
}

describe('tierctl fixtures', () => {
  it('accepts the shipped fixtures', async () => {
    const r = await runCli(['fixtures', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, assignments: 3, testUsers: 3, sandboxModels: 4 });
  });

  it('names file, JSON path and problem of a broken fixture, exit 2', async () => {
    const target = await copyWith('test-users.json', (j) => {
      j.users[1].email = 'not-an-email';
      j.users[2].subscription.tier = 'platinum';
    });
    const r = await runCli(['fixtures', '--fixtures', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${target}/test-users.json $.users[1].email`);
    expect(r.stderr).toContain(`${target}/test-users.json $.users[2].subscription.tier`);
  });

  it('refuses a misspelt key instead of ignoring it', async () => {
    const target = await copyWith('tier-assignments.json', (j) => {
      j['gpt-5'].requiredTeir = j['gpt-5'].requiredTier;
      delete j['gpt-5'].requiredTier;
    });
    const r = await runCli(['fixtures', '--fixtures', target, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.error.problems.join('\n')).toMatch(/\$\["gpt-5"\]/);
  });

  it('refuses incoherent tier assignments (lintPolicy), exit 2', async () => {
    const target = await copyWith('tier-assignments.json', (j) => {
      j['claude-3.5-sonnet'].allowedTiers = ['free', 'pro', 'enterprise'];
    });
    const r = await runCli(['fixtures', '--fixtures', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('claude-3.5-sonnet');
    expect(r.stderr).toContain('minimum mode lets in {pro,enterprise}');
  });

  it('reports unparseable JSON with the file name', async () => {
    const target = await mkdtemp(join(dir, 'case-'));
    await cp(FIXTURES_DIR, target, { recursive: true });
    await writeFile(join(target, 'sandbox-models.json'), '{"models": [');
    const r = await runCli(['fixtures', '--fixtures', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${target}/sandbox-models.json: not valid JSON`);
  });

  it('refuses tier assignments of {} exactly as verify does (one schema), exit 2', async () => {
    const target = await copyWith('tier-assignments.json', (j) => {
      for (const k of Object.keys(j)) delete j[k];
    });
    const says = `${target}/tier-assignments.json: lists no model`;
    const fixtures = await runCli(['fixtures', '--fixtures', target]);
    expect(fixtures.code).toBe(2);
    expect(fixtures.stderr).toContain(says);
    const verify = await runCli(['verify', '--fixtures', target, '--api-url', 'http://127.0.0.1:1', '--wait', '1s']);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain(says);
  });
});
