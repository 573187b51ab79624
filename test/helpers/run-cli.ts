import { spawn } from 'node:child_process';
import { packagePath } from '../../src/shared/package-root.js';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (`bin/tierctl.js`) as a user would: no TTY, stdin closed, CI set.
 * `env` is added to a minimal environment (PATH, HOME) so the developer's own variables
 * do not leak in.
 */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), ...args], {
      cwd: options.cwd ?? packagePath(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs the built CLI like `runCli` and sends it `signal` (Ctrl-C: SIGINT) once its stderr
 * matches `when`, as an operator interrupting a step would.
 */
export function runCliInterrupted(
  args: readonly string[],
  when: RegExp,
  options: { env?: Record<string, string>; signal?: NodeJS.Signals } = {},
): Promise<CliRun & { readonly pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), ...args], {
      cwd: packagePath(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (when.test(stderr) && !child.killed) child.kill(options.signal ?? 'SIGINT');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid! }));
  });
}
