/**
 * Runs the real app and a bare Fastify route in child processes and loads them alternately
 * with autocannon on 127.0.0.1 (same connections, same request), so both are measured under
 * the same machine conditions. Bounded: warm-up + `rounds` x `seconds` per target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { reportFigure } from '../report.js';

const script = fileURLToPath(new URL('./bench-server.ts', import.meta.url));

export interface BenchServer {
  readonly url: string;
  /** CPU time (user + system, ms) the server process has used so far; NaN where /proc is missing. */
  cpuMs(): number;
  /** The system part of `cpuMs` (the kernel's share: socket writes and reads). */
  systemMs(): number;
  /** Sends `signal` and waits until the server prints `marker` (see profile-on-signals.ts). */
  signal(signal: NodeJS.Signals, marker: string): Promise<void>;
  stop(): Promise<void>;
}

function processCpuMs(pid: number | undefined, user = true): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (((user ? Number(fields[11]) : 0) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

/** `root`: another checkout whose bench server to run (bench/route-cpu.ts compares against it). */
export function startBenchServer(env: Record<string, string>, root?: string): Promise<BenchServer> {
  // One process (tsx as a loader, not its CLI, which would run the script in a grandchild).
  const file = root ? `${root}/bench/helpers/bench-server.ts` : script;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], ...(root ? { cwd: root } : {}) });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          cpuMs: () => processCpuMs(child.pid),
          systemMs: () => processCpuMs(child.pid, false),
          signal: (signal, marker) =>
            new Promise((done) => {
              const seen = out.length;
              const onData = () => {
                if (!out.slice(seen).includes(marker)) return;
                child.stdout!.off('data', onData);
                done();
              };
              child.stdout!.on('data', onData);
              child.kill(signal);
            }),
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
}

export interface Load {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Every response must have this status (else the run is void). */
  readonly status: number;
}

export interface Throughput {
  readonly rps: number;
  readonly p99Ms: number;
  /** Server CPU time per request (µs): what the app adds is visible even when the machine is the limit. */
  readonly cpuUsPerRequest: number;
}

interface Target {
  readonly server: BenchServer;
  readonly load: Load;
}

async function once(url: string, load: Load, seconds: number): Promise<Result> {
  const result = await autocannon({ url: url + load.path, method: load.method, headers: load.headers, ...(load.body ? { body: load.body } : {}), connections: 16, duration: seconds });
  const codes = Object.keys(result.statusCodeStats);
  if (result.errors > 0 || codes.length !== 1 || codes[0] !== String(load.status)) {
    throw new Error(`${url}${load.path}: expected only ${load.status}, got ${JSON.stringify(result.statusCodeStats)} (${result.errors} errors)`);
  }
  return result;
}

interface Measured {
  readonly result: Result;
  readonly cpuMs: number;
  readonly requests: number;
}

async function measure(target: Target, seconds: number): Promise<Measured> {
  const before = target.server.cpuMs();
  const result = await once(target.server.url, target.load, seconds);
  const requests = Object.values(result.statusCodeStats).reduce((s, c) => s + Number(c.count), 0);
  return { result, cpuMs: target.server.cpuMs() - before, requests };
}

/** Alternates app and bare runs; returns the mean requests/s, the worst p99 and the CPU per request of each. */
export async function compare(app: Target, bare: Target, rounds = 2, seconds = 2): Promise<{ app: Throughput; bare: Throughput }> {
  await once(app.server.url, app.load, 1);
  await once(bare.server.url, bare.load, 1);
  const a: Measured[] = [];
  const b: Measured[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await measure(bare, seconds));
    a.push(await measure(app, seconds));
  }
  const summary = (ms: Measured[]): Throughput => ({
    rps: ms.reduce((s, m) => s + m.result.requests.average, 0) / ms.length,
    p99Ms: Math.max(...ms.map((m) => m.result.latency.p99)),
    cpuUsPerRequest: Number(((ms.reduce((s, m) => s + m.cpuMs, 0) * 1000) / ms.reduce((s, m) => s + m.requests, 0)).toFixed(1)),
  });
  return { app: summary(a), bare: summary(b) };
}

/** Prints the app/bare requests-per-second ratio as the benchmark's one figure (goal: at least `goal`). */
export function reportRatio(name: string, what: string, goal: number, r: { app: Throughput; bare: Throughput }, extra: Record<string, unknown> = {}): void {
  const ratio = r.app.rps / r.bare.rps;
  reportFigure({
    name,
    what,
    value: Number(ratio.toFixed(2)),
    unit: 'x',
    baseline: `bare route: ${Math.round(r.bare.rps)} req/s`,
    goal: `>= ${goal.toFixed(2)}`,
    met: ratio >= goal,
    detail: {
      appRps: Math.round(r.app.rps),
      bareRps: Math.round(r.bare.rps),
      appP99Ms: r.app.p99Ms,
      bareP99Ms: r.bare.p99Ms,
      appCpuUsPerRequest: r.app.cpuUsPerRequest,
      bareCpuUsPerRequest: r.bare.cpuUsPerRequest,
      ...extra,
    },
  });
}
