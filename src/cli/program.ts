import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_CODE_HELP } from '../shared/exit-codes.js';
import { addDebugOption, configureHelp, registerHelpCommand } from './help.js';
import { packagePath } from '../shared/package-root.js';
import { registerAccess } from './commands/access.js';
import { registerBackup } from './commands/backup.js';
import { registerDeploy } from './commands/deploy.js';
import { registerFixturesCheck } from './commands/fixtures-check.js';
import { registerMigrate } from './commands/migrate/migrate.js';
import { registerMonitor } from './commands/monitor.js';
import { registerPreflight } from './commands/preflight.js';
import { registerRehearse } from './commands/rehearse.js';
import { registerRestore } from './commands/restore.js';
import { registerRollback } from './commands/rollback.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';
import { registerUsers } from './commands/users.js';
import { registerVerify } from './commands/verify.js';

const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

/** Each top-level command's name and the function that registers it, in `--help` order. */
const COMMANDS: readonly (readonly [string, (program: Command) => void])[] = [
  ['rehearse', registerRehearse],
  ['fixtures', registerFixturesCheck],
  ['preflight', registerPreflight],
  ['backup', registerBackup],
  ['restore', registerRestore],
  ['migrate', registerMigrate],
  ['seed', registerSeed],
  ['users', registerUsers],
  ['verify', registerVerify],
  ['deploy', registerDeploy],
  ['rollback', registerRollback],
  ['serve', registerServe],
  ['access', registerAccess],
  ['monitor', registerMonitor],
];

/** The names of the top-level commands, in `--help` order. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/**
 * The command tree. Each command lives in commands/<name>.ts and imports its
 * implementation only when it runs, so `tierctl --help` stays fast. Given the process's
 * `argv` whose first operand names a command (`tierctl migrate status ...`), only that
 * command is built: registering the other commands' options was a tenth of a command's
 * start-up. Anything else (`--help`, `help`, no command, an unknown or misspelt one, which
 * gets suggestions) builds them all. The program's own options (`-V`, `-h`) take no value,
 * so the first argument not starting with `-` is the command.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = configureHelp(new Command('tierctl'))
    .description('Deploy, verify and roll back Model Tier Access Control (the deployment guide, executable and safe).')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `\nConfiguration: flags > environment > .env (DATABASE_URL, API_URL, JWT_SECRET, ...; TIERCTL_ENV_FILE names another file).\n` +
        `Passwords are never printed: URLs are shown with the password redacted. Durations: 500ms, 5s, 2m, 1h; a bare number is seconds.\n` +
        `An internal error prints one line and a hint; --debug (before or after the command's name) adds its stack trace.\n\n` +
        `Examples:\n  $ tierctl rehearse\n  $ tierctl preflight --database-url postgresql://app@db.internal:5432/app\n` +
        `  $ tierctl deploy --api-url http://localhost:3000 --seed --test-users\n  $ tierctl help migrate apply\n\n${EXIT_CODE_HELP}\n`,
    );
  const named = argv?.slice(2).find((a) => !a.startsWith('-'));
  const only = COMMANDS.find(([name]) => name === named);
  for (const [, register] of only ? [only] : COMMANDS) register(program);
  if (!only) registerHelpCommand(program);
  addDebugOption(program);
  return program;
}
