import type { ConfigSources } from '../shared/config.js';
import { readDotenv } from '../shared/config.js';
import { unwrap } from '../shared/failure.js';

/** What a command's action gets from the edge: its sources of configuration and its streams. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dotenv: Readonly<Record<string, string>>;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /** The working directory: where the project's `.env` and `prisma.config.ts` are. */
  readonly cwd: string;
  /** Aborted on a second signal, for commands that stop gracefully (serve): give up what is left now. */
  readonly hurry: AbortSignal;
  /** stdin and stderr are terminals: prompts and spinners are possible. */
  readonly interactive: boolean;
  sources(flags: Record<string, unknown>): ConfigSources;
}

export function createContext(signal: AbortSignal, hurry: AbortSignal = new AbortController().signal): CliContext {
  const env = process.env;
  const dotenv = unwrap(readDotenv(env));
  return {
    env,
    dotenv,
    stdout: process.stdout,
    stderr: process.stderr,
    signal,
    cwd: process.cwd(),
    hurry,
    // A getter: touching process.stdin sets up a stream, which most commands never need.
    get interactive() {
      return Boolean(process.stdin.isTTY && process.stderr.isTTY) && env.CI !== 'true';
    },
    sources: (flags) => ({ flags, env, dotenv }),
  };
}
