/**
 * The guide's step 9 before the checks: /health retried with backoff until --wait, and
 * never healthy -> exit 3 saying what was seen (a 503 body, HTML, a timeout, not HTTP at all).
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/shared/exit-codes.js';
import type { Result } from '../../src/shared/failure.js';
import type { VerifyReport } from '../../src/verify/run-verify.js';
import { startFaultProxy, type Fault } from '../helpers/fault-proxy.js';
import { useVerifySandbox } from '../helpers/verify-sandbox.js';

const { app, run } = useVerifySandbox();

async function runThrough(fault: Fault, waitMs: number): Promise<Result<VerifyReport>> {
  const proxy = await startFaultProxy(app().url, fault);
  try {
    return await run(proxy.url, { waitMs });
  } finally {
    await proxy.close();
  }
}

/** A TCP server that does `onConnection` with every socket; closed after `fn`. */
async function withTcp<T>(onConnection: (s: Socket) => void, fn: (url: string) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

function unhealthy(r: Result<VerifyReport>): string {
  if (r.ok) throw new Error('expected the API to be reported unhealthy');
  expect(r.failure).toMatchObject({ code: 'api_unhealthy', exitCode: ExitCode.unreachable });
  return r.failure.message;
}

describe('health first (step 9)', () => {
  it('retries with backoff until /health is healthy, then runs the checks', async () => {
    let calls = 0;
    const r = await runThrough((req, res) => {
      if (req.path === '/health' && ++calls <= 3) {
        res.status = 503;
        res.json = { status: 'unhealthy', database: 'disconnected', timestamp: new Date().toISOString() };
      }
    }, 10_000);
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value.health.attempts).toBe(4);
    expect(r.value.counts, JSON.stringify(r.value.checks.filter((c) => c.result !== 'pass'))).toEqual({ pass: 8, fail: 0, skipped: 0 });
  });

  it('a 503 until --wait: exit 3 with the 503 body', async () => {
    let calls = 0;
    const message = unhealthy(
      await runThrough((req, res) => {
        if (req.path !== '/health') return;
        calls += 1;
        res.status = 503;
        res.json = { status: 'unhealthy', database: 'disconnected' };
      }, 1000),
    );
    expect(message).toMatch(/was not healthy within 1 s \(\d+ attempts\); last seen: HTTP 503: \{"status":"unhealthy","database":"disconnected"\}/);
    expect(calls).toBeGreaterThan(1);
  });

  it('an HTML page at /health is not healthy', async () => {
    const message = unhealthy(
      await runThrough((req, res) => {
        if (req.path !== '/health') return;
        res.headers['content-type'] = 'text/html';
        res.text = '<html><body>It works!</body></html>';
        return 'text';
      }, 500),
    );
    expect(message).toMatch(/last seen: HTTP 200: <html><body>It works!/);
  });

  it('a server that never answers: each attempt times out after --timeout, exit 3 saying so', async () => {
    let connections = 0;
    const r = await withTcp(
      () => void (connections += 1),
      (url) => run(url, { waitMs: 1000, timeoutMs: 200 }),
    );
    expect(unhealthy(r)).toMatch(/last seen: timed out/);
    expect(connections).toBeGreaterThan(1);
  });

  it('something that does not speak HTTP: exit 3 with the parser error, no crash', async () => {
    const r = await withTcp(
      (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001garbage\r\n\r\n'),
      (url) => run(url, { waitMs: 500, timeoutMs: 500 }),
    );
    expect(unhealthy(r)).toMatch(/last seen: not an HTTP answer \(HPE_\w+\)/);
  });
});
