import { execa } from 'execa';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { childEnvironment } from './child-env.js';
import { ExitCode } from './exit-codes.js';
import { err, failure, ok, type Result } from './failure.js';

/**
 * Runs an external program (pg_dump, pg_restore, a stop/start hook) as a typed step:
 * argv as an array (no shell unless asked), secrets only in `env`, a timeout, an
 * AbortSignal, captured output or stdout streamed to a file. A missing binary, a timeout
 * or an interruption is a Failure, never a crash; a non-zero exit is reported in the
 * result (see `execOk` for "must succeed").
 */
export interface ExecOptions {
  /**
   * Added to what the child inherits (see child-env.ts: PostgreSQL's programs get an
   * allowlist, a shell hook the environment minus secrets) or, with `cleanEnv`, all it gets.
   * A password goes through a passfile named here, never as a value.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cleanEnv?: boolean;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Stream stdout into this file instead of capturing it. */
  readonly stdoutFile?: string;
  readonly input?: string;
  /** Run `command` through /bin/sh (for operator-written hooks only; never with untrusted text). */
  readonly shell?: boolean;
  /** What to tell the operator when the program is not found, e.g. "install postgresql-client". */
  readonly missingHint?: string;
}

export interface ExecResult {
  readonly command: string;
  readonly args: readonly string[];
  /** null when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Empty when stdout went to a file. */
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** How a command is shown in messages: its argv (which never holds a secret). */
export const describeCommand = (command: string, args: readonly string[]): string => [command, ...args].join(' ');

/** The last lines of a program's stderr, for an error message. */
export function stderrTail(stderr: string, lines = 5): string {
  return stderr.trim().split('\n').slice(-lines).join('\n');
}

export async function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<Result<ExecResult>> {
  const started = performance.now();
  const shown = describeCommand(command, args);
  const subprocess = execa(command, [...args], {
    env: options.cleanEnv ? childEnvironment('hook', {}, options.env) : childEnvironment(options.shell ? 'hook' : 'pg-tool', process.env, options.env),
    extendEnv: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.stdoutFile ? { stdout: { file: options.stdoutFile }, buffer: { stdout: false } } : {}),
    shell: options.shell ?? false,
    reject: false,
    stripFinalNewline: false,
    forceKillAfterDelay: 5000,
    // A shell hook runs in its own process group, so that stopping it (Ctrl-C, timeout)
    // stops what it started too (`sleep`, `systemctl`...), not only the shell.
    detached: options.shell ?? false,
  });
  const stopGroup = () => {
    try {
      if (subprocess.pid !== undefined) process.kill(-subprocess.pid, 'SIGTERM');
    } catch {
      // the group is already gone
    }
  };
  if (options.shell) options.signal?.addEventListener('abort', stopGroup, { once: true });
  const timer = options.shell && options.timeoutMs ? setTimeout(stopGroup, options.timeoutMs) : undefined;
  const r = await subprocess;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', stopGroup);
  const result: ExecResult = {
    command,
    args,
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    durationMs: performance.now() - started,
  };
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT' && !options.shell) {
    return err(failure('command_not_found', `${command}: not found${command.includes('/') ? '' : ' on PATH'}`, ExitCode.usage, options.missingHint ? { hint: options.missingHint } : {}));
  }
  if (code === 'EACCES') return err(failure('command_not_executable', `${command}: not executable (EACCES)`, ExitCode.usage, options.missingHint ? { hint: options.missingHint } : {}));
  if (r.isCanceled) return err(failure('interrupted', `Interrupted while running ${shown}`, ExitCode.interrupted));
  if (r.timedOut) return err(failure('command_timeout', `${shown} did not finish within ${options.timeoutMs} ms (killed)`, ExitCode.failed));
  if (r.exitCode === undefined && !r.signal) {
    // Spawning failed for another reason (e.g. the output file could not be opened).
    return err(failure('command_failed', `${shown} could not run: ${r.shortMessage ?? r.message}`, ExitCode.failed));
  }
  return ok(result);
}

/** `exec`, where anything but exit 0 is a Failure (exit 1) carrying the tail of stderr. */
export async function execOk(command: string, args: readonly string[], options: ExecOptions = {}): Promise<Result<ExecResult>> {
  const r = await exec(command, args, options);
  if (!r.ok || r.value.exitCode === 0) return r;
  const how = r.value.exitCode === null ? `was killed by ${r.value.signal}` : `exited with ${r.value.exitCode}`;
  const tail = stderrTail(r.value.stderr);
  return err(failure('command_failed', `${describeCommand(command, args)} ${how}${tail ? `:\n  ${tail.replaceAll('\n', '\n  ')}` : ''}`, ExitCode.failed));
}

/** Where a child started with `command` (no slash) would find it: the first executable on this process's PATH, or null. */
export async function findOnPath(command: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return null;
}
