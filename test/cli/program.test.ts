import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { flagsAfterCommand } from '../../src/cli/flags-after-command.js';
import { COMMAND_NAMES, buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/run-cli.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('none');

/** What the named command sees of --debug when tierctl parses `args` as main.ts does (stopped before its action runs). */
async function debugSeenBy(args: string[]): Promise<{ command: string; debug: unknown }> {
  const program = buildProgram(['node', 'tierctl', ...args]);
  let seen = { command: '', debug: undefined as unknown };
  program.hook('preAction', (_p, action) => {
    seen = { command: action.name(), debug: action.opts().debug };
    throw new Error('stop before the action');
  });
  await program.parseAsync(['node', 'tierctl', ...flagsAfterCommand(program, args)]).catch(() => {});
  return seen;
}

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

  it('--debug and --help act on the command wherever they stand: before its name, between a group and its command, after it', async () => {
    for (const args of [['--debug', 'migrate', 'status'], ['migrate', '--debug', 'status'], ['migrate', 'status', '--debug'], ['--debug', 'access', 'explain', '--user', 'a@b.c', '--model', 'x']]) {
      expect(await debugSeenBy(args), args.join(' ')).toMatchObject({ debug: true });
    }
    expect(await debugSeenBy(['migrate', 'status'])).toEqual({ command: 'status', debug: undefined });

    const env = { DATABASE_URL: db().url };
    const after = await runCli(['migrate', 'status', '--json', '--debug'], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ pending: expect.any(Array) });
    for (const args of [['--debug', 'migrate', 'status', '--json'], ['migrate', '--debug', 'status', '--json']]) {
      const r = await runCli(args, { env });
      expect(r.stderr, args.join(' ')).not.toContain('unknown option');
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: after.code, stdout: after.stdout });
    }

    const help = (await runCli(['migrate', 'status', '--help'])).stdout;
    expect(help).toContain('Usage: tierctl migrate status [options]');
    for (const args of [['--help', 'migrate', 'status'], ['-h', 'migrate', 'status'], ['migrate', '--help', 'status']]) expect((await runCli(args)).stdout, args.join(' ')).toBe(help);
    expect((await runCli(['--help'])).stdout).toContain('Usage: tierctl [options] [command]');
    expect((await runCli(['-V'])).stdout).toBe(`${version}\n`);
    // A command that does not take --debug still says so.
    expect((await runCli(['--debug', 'help', 'migrate'])).code).toBe(2);
  });
});
