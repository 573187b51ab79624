import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_CODE_HELP } from '../shared/exit-codes.js';
import { addDebugOption, configureHelp, registerHelpCommand } from './help.js';
import { packagePath } from '../shared/package-root.js';
import { registerAccess } from './commands/access.js';
import { registerBackup } from './commands/backup.js';
import { registerDeploy } from './commands/deploy.js';
import { registerFixturesCheck } from './commands/fixtures-check.js';
import { registerMigrate } from './commands/migrate.js';
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

/**
 * The command tree. Each command lives in commands/<name>.ts and imports its
 * implementation only when it runs, so `tierctl --help` stays fast.
 */
export function buildProgram(): Command {
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
        `An internal error prints one line and a hint; --debug (after the command's name) adds its stack trace.\n\n` +
        `Examples:\n  $ tierctl rehearse\n  $ tierctl preflight --database-url postgresql://app@db.internal:5432/app\n` +
        `  $ tierctl deploy --api-url http://localhost:3000 --seed --test-users\n  $ tierctl help migrate apply\n\n${EXIT_CODE_HELP}\n`,
    );
  registerRehearse(program);
  registerFixturesCheck(program);
  registerPreflight(program);
  registerBackup(program);
  registerRestore(program);
  registerMigrate(program);
  registerSeed(program);
  registerUsers(program);
  registerVerify(program);
  registerDeploy(program);
  registerRollback(program);
  registerServe(program);
  registerAccess(program);
  registerMonitor(program);
  registerHelpCommand(program);
  addDebugOption(program);
  return program;
}
