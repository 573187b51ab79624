import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_CODE_HELP } from '../shared/exit-codes.js';
import { packagePath } from '../shared/package-root.js';
import { registerAccess } from './commands/access.js';
import { registerBackup } from './commands/backup.js';
import { registerFixturesCheck } from './commands/fixtures-check.js';
import { registerMigrate } from './commands/migrate.js';
import { registerMonitor } from './commands/monitor.js';
import { registerPreflight } from './commands/preflight.js';
import { registerRestore } from './commands/restore.js';
import { registerRollback } from './commands/rollback.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';
import { registerUsers } from './commands/users.js';

const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

/**
 * The command tree. Each command lives in commands/<name>.ts and imports its
 * implementation only when it runs, so `tierctl --help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command('tierctl')
    .description('Deploy, verify and roll back Model Tier Access Control (the deployment guide, executable and safe).')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `\nConfiguration: flags > environment > .env (DATABASE_URL, API_URL, JWT_SECRET, ...).\n` +
        `Passwords are never printed: URLs are shown with the password redacted.\n\n${EXIT_CODE_HELP}\n`,
    );
  registerFixturesCheck(program);
  registerPreflight(program);
  registerBackup(program);
  registerRestore(program);
  registerMigrate(program);
  registerSeed(program);
  registerUsers(program);
  registerRollback(program);
  registerAccess(program);
  registerMonitor(program);
  registerServe(program);
  return program;
}
