import type { Command } from 'commander';
import { durationOption } from '../duration-flag.js';

/** The flags of commands that stop and start the backend around their work. */
export interface HookFlags {
  stopCmd?: string;
  startCmd?: string;
  hookTimeout?: string;
}

export function hookOptions(command: Command): Command {
  return command
    .option('--stop-cmd <command>', "shell command that stops the backend, e.g. 'systemctl stop api' or 'pm2 stop api' (omit for blue-green)")
    .option('--start-cmd <command>', "shell command that starts it again, e.g. 'systemctl start api'")
    .addOption(durationOption('--hook-timeout <duration>', 'how long a stop/start command may take', '2m'));
}
