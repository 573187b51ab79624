import type { CliContext } from './context.js';

/**
 * A directory setting (`--fixtures`, `--migrations-dir`): the flag, else the environment
 * variable, else `.env` (flags > environment > .env, as every setting); undefined when none
 * sets it. No zod here: the command tree imports the options beside it, and `--help` stays fast.
 */
export function dirSetting(ctx: CliContext, flag: string | undefined, env: string): string | undefined {
  return flag ?? (ctx.env[env] || ctx.dotenv[env] || undefined);
}
