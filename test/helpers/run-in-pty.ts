import { spawn } from 'node:child_process';
import { packagePath } from '../../src/shared/package-root.js';

export interface PtyRun {
  /** The CLI's exit code (script -e passes it on); null when the run was killed. */
  readonly code: number | null;
  /** Killed: it outlived `timeoutMs` or wrote more than `maxBytes`. */
  readonly killed: 'timeout' | 'output' | null;
  /** Everything the terminal received (stdout and stderr share the pseudo-terminal). */
  readonly output: string;
  readonly bytes: number;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`) whose size is set with
 * `stty` first, as a CI runner or `docker exec -t` that reports 0×0 would. stdin, stdout and
 * stderr are all the terminal, so the CLI sees an interactive session. The whole process
 * group is killed after `timeoutMs` or past `maxBytes` of output: a hang ends the test.
 */
export function runInPty(
  args: readonly string[],
  options: { cols: number; rows: number; env?: Record<string, string>; timeoutMs?: number; maxBytes?: number },
): Promise<PtyRun> {
  const cli = [process.execPath, packagePath('bin', 'tierctl.js'), ...args].map(quote).join(' ');
  const shell = `stty cols ${options.cols} rows ${options.rows}; exec ${cli}`;
  const maxBytes = options.maxBytes ?? 1_000_000;
  return new Promise((resolve, reject) => {
    // No CI and no NO_COLOR unless asked: the point is an interactive terminal.
    const child = spawn('script', ['-qfec', shell, '/dev/null'], {
      cwd: packagePath(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let killed: PtyRun['killed'] = null;
    const kill = (why: 'timeout' | 'output') => {
      if (killed) return;
      killed = why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs ?? 20_000);
    const take = (d: Buffer) => {
      bytes += d.length;
      if (bytes > maxBytes) kill('output');
      else chunks.push(d);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: killed ? null : code, killed, output: Buffer.concat(chunks).toString(), bytes });
    });
  });
}
