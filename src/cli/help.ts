import { Help, type Command, type Option } from 'commander';

/*
 * What every command's --help carries, in one shape: an optional note, an Examples section,
 * and on every leaf an "Exit codes:" section in the format of the program's own list.
 * Imported when the command tree is built: commander only.
 */

/** [code, meaning] for each exit code a command can end with. */
export type ExitList = readonly (readonly [number, string])[];

export interface HelpSections {
  /** Plain paragraphs shown first. */
  readonly notes?: string;
  /** Command lines, without the `$ ` prompt. */
  readonly examples: readonly string[];
  /** Leaves only: what each exit code means for this command. */
  readonly exits?: ExitList;
}

export function exitCodeLines(exits: ExitList): string {
  return `Exit codes:\n${exits.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`).join('\n')}`;
}

/** The notes, the Examples and the exit codes, for `command.addHelpText('after', ...)`. */
export function helpSections(sections: HelpSections): string {
  const parts = [
    ...(sections.notes ? [sections.notes] : []),
    `Examples:\n${sections.examples.map((e) => `  $ ${e}`).join('\n')}`,
    ...(sections.exits ? [exitCodeLines(sections.exits)] : []),
  ];
  return `\n${parts.join('\n\n')}`;
}

/**
 * The help of every command: unquoted defaults, no "Global Options" (each command's options
 * are its own: the program parses positionally, so a parent's options never apply after a
 * subcommand's name), and `tierctl help A B` showing the help of `A B`.
 */
export function configureHelp(program: Command): Command {
  return program
    .enablePositionalOptions()
    .configureHelp({
      sortSubcommands: false,
      showGlobalOptions: false,
      // Defaults without JSON quotes, `(default: 5s)`, as an operator would type them.
      optionDescription(this: Help, option: Option) {
        return Help.prototype.optionDescription.call(this, option).replace(/default: "((?:[^"\\]|\\.)*)"/, (_m, v: string) => `default: ${v}`);
      },
    })
    .helpCommand(false);
}

/** `tierctl help [command...]`: the help of any command, nested ones included. */
export function registerHelpCommand(program: Command): void {
  program
    .command('help [command...]')
    .description('show the help of a command, e.g. tierctl help migrate apply')
    .addHelpText('after', helpSections({ examples: ['tierctl help', 'tierctl help migrate apply'], exits: [[0, 'the help was shown'], [2, 'no such command']] }))
    .action((words: string[]) => {
    let command: Command = program;
    for (const word of words) {
      const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
      if (!next) command.error(`error: unknown command '${words.join(' ')}'`, { exitCode: 2, code: 'commander.unknownCommand' });
      else command = next;
    }
    command.help();
  });
}

/** `--debug` on every command that runs something: an internal error then prints its stack trace. */
export function addDebugOption(command: Command): void {
  for (const sub of command.commands) {
    if (sub.name() !== 'help' && (sub.commands.length === 0 || sub.options.length > 0)) sub.option('--debug', 'on an internal error, also print its stack trace');
    addDebugOption(sub);
  }
}
