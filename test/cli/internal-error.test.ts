import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { reportError, setDebug } from '../../src/cli/run-action.js';
import { ExitCode } from '../../src/shared/exit-codes.js';
import { TierctlError, usageFailure } from '../../src/shared/failure.js';

/** Issue 13 ("Also"): an internal error is one line and a hint; its stack trace only with --debug. */
function streams() {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const s = { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env: { NO_COLOR: '1' } };
  return { s, out };
}

const bug = () => {
  const e = new TypeError("Cannot read properties of undefined (reading 'rows')\nsecond line");
  e.stack = `TypeError: Cannot read properties of undefined (reading 'rows')\n    at readLogs (file:///x/monitor.js:12:3)`;
  return e;
};

describe('reportError (the CLI edge)', () => {
  afterEach(() => setDebug(false));

  it('an unexpected error: one line, a hint, exit 1, no stack trace', async () => {
    const { s, out } = streams();
    expect(await reportError(s, false, bug())).toBe(ExitCode.failed);
    expect(out.stderr).toBe(
      "error Internal error: Cannot read properties of undefined (reading 'rows')\n" +
        'hint  This is a bug in tierctl. Run the command again with --debug for the stack trace, and report it with that output.\n' +
        '(internal_error, exit 1)\n',
    );
  });

  it('with --debug the stack trace follows', async () => {
    setDebug(true);
    const { s, out } = streams();
    await reportError(s, false, bug());
    expect(out.stderr).toContain('(internal_error, exit 1)\nTypeError: Cannot read properties');
    expect(out.stderr).toContain('    at readLogs (file:///x/monitor.js:12:3)');
  });

  it('with --json the failure is JSON on stdout', async () => {
    const { s, out } = streams();
    await reportError(s, true, bug());
    expect(JSON.parse(out.stdout)).toEqual({ ok: false, error: { code: 'internal_error', message: "Internal error: Cannot read properties of undefined (reading 'rows')", exitCode: 1, hint: expect.stringContaining('--debug') } });
  });

  it('an expected failure keeps its own code and never prints a stack, even with --debug', async () => {
    setDebug(true);
    const { s, out } = streams();
    expect(await reportError(s, false, new TierctlError(usageFailure('bad', 'Bad flag')))).toBe(2);
    expect(out.stderr).toBe('error Bad flag\n(bad, exit 2)\n');
  });
});
