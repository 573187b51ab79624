import type { Command } from 'commander';

/** The flags that take no value and belong to whichever command is named: help and --debug. */
const MOVABLE = new Set(['-h', '--help', '--debug']);

/**
 * `tierctl --debug migrate status`, `tierctl migrate --help status`: the program parses
 * positionally (a command's options follow its name), so these flags, given before the
 * command they are for, are moved right after its full name: they then act exactly as
 * `tierctl migrate status --debug` does. `args` is argv without node and the script.
 * Anything else is left where it is (`tierctl -V`, an unknown command, `tierctl help ...`).
 */
export function flagsAfterCommand(program: Command, args: readonly string[]): string[] {
  let command = program;
  const words: string[] = [];
  const flags: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (MOVABLE.has(arg)) {
      flags.push(arg);
      continue;
    }
    const next = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) break;
    words.push(arg);
    command = next;
  }
  const takesDebug = command.options.some((o) => o.long === '--debug');
  if (flags.length === 0 || words.length === 0 || (flags.includes('--debug') && !takesDebug)) return [...args];
  return [...words, ...flags, ...args.slice(i)];
}
