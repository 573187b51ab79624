import { CommanderError } from 'commander';
import { ExitCode } from '../shared/exit-codes.js';
import { flagsAfterCommand } from './flags-after-command.js';
import { buildProgram } from './program.js';
import { processStreams, reportError, setDebug } from './run-action.js';

/** The CLI entry: parse, run, and map commander's usage errors to exit code 2. */

// `tierctl ... | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const program = buildProgram(process.argv).hook('preAction', (_program, action) => setDebug(action.opts().debug === true));

// No top-level await: the bundle is CommonJS (scripts/bundle-cli.js).
program.parseAsync([...process.argv.slice(0, 2), ...flagsAfterCommand(program, process.argv.slice(2))]).catch(async (e: unknown) => {
  if (e instanceof CommanderError) {
    const done = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
    process.exitCode = done ? ExitCode.ok : ExitCode.usage;
  } else {
    process.exitCode = await reportError(processStreams(), process.argv.includes('--json'), e);
  }
});
