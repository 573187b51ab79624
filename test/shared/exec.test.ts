import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, execOk } from '../../src/shared/exec.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-exec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exec', () => {
  it('runs argv without a shell, captures stdout and stderr, passes extra env', async () => {
    const r = await exec('sh', ['-c', 'printf "%s" "$GREETING"; printf err >&2; exit 3', 'ignored; rm -rf /'], { env: { GREETING: 'hi $(id)' } });
    expect(r.ok && r.value).toMatchObject({ exitCode: 3, stdout: 'hi $(id)', stderr: 'err', signal: null });
  });

  it('an argument is never interpreted by a shell', async () => {
    const r = await exec('echo', ['$HOME', '`id`', ';', 'x']);
    expect(r.ok && r.value.stdout).toBe('$HOME `id` ; x\n');
  });

  it('a missing binary is a typed usage failure (exit 2) with the hint, not a crash', async () => {
    const r = await exec('tierctl-no-such-binary', ['--version'], { missingHint: 'install it' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatchObject({ code: 'command_not_found', exitCode: 2, hint: 'install it' });
    const path = await exec('/nonexistent/bin/pg_dump', []);
    expect(!path.ok && path.failure.message).toBe('/nonexistent/bin/pg_dump: not found');
  });

  it('a file that is not executable is exit 2', async () => {
    const file = join(dir, 'not-executable');
    await writeFile(file, '#!/bin/sh\n', { mode: 0o644 });
    const r = await exec(file, []);
    expect(!r.ok && r.failure.code).toBe('command_not_executable');
  });

  it('kills a program that outlives its timeout (exit 1)', async () => {
    const r = await exec('sleep', ['10'], { timeoutMs: 100 });
    expect(!r.ok && r.failure).toMatchObject({ code: 'command_timeout', exitCode: 1 });
  });

  it('an AbortSignal stops the program (exit 130)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const r = await exec('sleep', ['10'], { signal: controller.signal });
    expect(!r.ok && r.failure).toMatchObject({ code: 'interrupted', exitCode: 130 });
  });

  it('streams stdout into a file', async () => {
    const file = join(dir, 'out.txt');
    const r = await exec('seq', ['1', '3'], { stdoutFile: file });
    expect(r.ok && r.value.stdout).toBe('');
    expect(await readFile(file, 'utf8')).toBe('1\n2\n3\n');
  });

  it('cleanEnv gives the child only what is passed', async () => {
    const r = await exec('/usr/bin/env', [], { cleanEnv: true, env: { ONLY: '1' } });
    expect(r.ok && r.value.stdout.trim()).toBe('ONLY=1');
  });

  it('execOk turns a non-zero exit into a failure carrying the tail of stderr', async () => {
    const r = await execOk('sh', ['-c', 'echo one >&2; echo "two words" >&2; exit 5']);
    expect(!r.ok && r.failure.code).toBe('command_failed');
    expect(!r.ok && r.failure.message).toMatch(/exited with 5:\n {2}one\n {2}two words/);
    expect((await execOk('true', [])).ok).toBe(true);
  });

  it('stops what a shell hook started, not only the shell, on timeout and on abort', async () => {
    const timedOut = await exec('sleep 31.7; echo never', [], { shell: true, timeoutMs: 200 });
    expect(!timedOut.ok && timedOut.failure.code).toBe('command_timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await exec('sleep 31.7 | cat', [], { shell: true, signal: controller.signal });
    expect(!aborted.ok && aborted.failure.code).toBe('interrupted');
    // Neither `sleep` is left running.
    const left = await exec('pgrep', ['-fx', 'sleep 31.7']);
    expect(left.ok && left.value.exitCode).toBe(1);
  });
});
