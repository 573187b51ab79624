import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COMMAND_NAMES, buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/run-cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('tierctl (the built CLI)', () => {
  it('--help lists the commands and every exit code', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: tierctl');
    expect(r.stdout).toContain('fixtures');
    for (const line of ['0    ok', '1    a check or step failed', '2    usage or configuration error', '3    target unreachable', '4    refused for safety', '5    not measured', '130  interrupted']) {
      expect(r.stdout).toContain(line);
    }
  });

  it('builds every command for --help, and only the named one for a command', () => {
    // The whole tree also has `help [command...]` (tierctl help migrate apply).
    expect(buildProgram().commands.map((c) => c.name())).toEqual([...COMMAND_NAMES, 'help']);
    for (const argv of [['--help'], ['help', 'migrate'], [], ['migrat']]) expect(buildProgram(['node', 'tierctl', ...argv]).commands.map((c) => c.name())).toEqual([...COMMAND_NAMES, 'help']);
    for (const name of COMMAND_NAMES) expect(buildProgram(['node', 'tierctl', name, 'status', '--json']).commands.map((c) => c.name())).toEqual([name]);
  });

  it('a command built alone has the help it has in the whole tree', async () => {
    const alone = await runCli(['migrate', 'status', '--help']);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('Usage: tierctl migrate status [options]');
    expect(alone.stdout).toBe((await runCli(['help', 'migrate', 'status'])).stdout); // `help` builds the whole tree
    const typo = await runCli(['migrat']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean migrate?)');
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('an unknown command is a usage error (exit 2) with a clear message', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await runCli(['fixtures', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });
});
