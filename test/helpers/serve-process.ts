/**
 * `tierctl serve` as a child process on a free port, as an operator runs it: its JSON logs
 * read from stdout for the port, its memory read from /proc, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packagePath } from '../../src/shared/package-root.js';

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident set size in KiB (VmRSS). */
  rssKb(): number;
  /** SIGTERM; resolves with the exit code once it has shut down. */
  stop(): Promise<number | null>;
}

/** Needs LOG_LEVEL info or lower: the port is read from the "Server started on port N" line. */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [packagePath('bin', 'tierctl.js'), 'serve', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Server started on port (\d+)/.exec(out);
      if (m) {
        out = '';
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume(); // keep draining the logs
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          pid: child.pid!,
          rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? Number.NaN),
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`tierctl serve exited ${code}: ${err}`)));
  });
}
