/**
 * A TCP proxy in front of PostgreSQL that a test takes down and brings back, as an outage
 * does. `cut('refuse')` resets every open connection and every new one at once (a restart,
 * a failover); `cut('blackhole')` passes no byte either way and leaves connections and new
 * connection attempts hanging (a network partition; held bytes flow again on restore).
 * `cutAfter(text, mode)` cuts right after forwarding a client message containing `text`
 * (e.g. `COMMIT`: the server gets it, the answer never comes back). `restore()` heals.
 * Point a database URL at it with `route(url)`.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export type Outage = 'refuse' | 'blackhole';

export interface TcpFaultProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  route(url: string): string;
  cut(mode: Outage): void;
  /** Arms a one-shot cut: after the next client message containing `text` is forwarded. */
  cutAfter(text: string, mode: Outage): void;
  /** Resolves once the armed `cutAfter` has fired. */
  triggered(): Promise<void>;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
  /** Bytes held during a blackhole, each with the socket they are for. */
  held: { to: 'client' | 'upstream'; data: Buffer }[];
}

export async function startTcpFaultProxy(target: { host: string; port: number }): Promise<TcpFaultProxy> {
  let outage: Outage | null = null;
  let armed: { text: string; mode: Outage; fired: () => void } | null = null;
  let fired: Promise<void> = Promise.resolve();
  const pairs = new Set<Pair>();
  const end = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  /** The client sees a reset; the server reads what it was sent, then end of file. */
  const reset = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream?.end();
  };
  const send = (pair: Pair, to: 'client' | 'upstream', data: Buffer) => {
    if (!pairs.has(pair)) return;
    if (outage === 'blackhole' || (to === 'upstream' && !pair.upstream)) pair.held.push({ to, data });
    else (to === 'client' ? pair.client : pair.upstream!).write(data);
  };
  const cut = (mode: Outage) => {
    outage = mode;
    if (mode === 'refuse') for (const pair of [...pairs]) reset(pair);
  };
  const join = (pair: Pair) => {
    const upstream = connect({ port: target.port, host: target.host, noDelay: true });
    pair.upstream = upstream;
    upstream.on('data', (d: Buffer) => send(pair, 'client', d));
    upstream.on('error', () => end(pair));
    upstream.on('close', () => end(pair));
    for (const h of pair.held.splice(0)) send(pair, h.to, h.data);
  };
  // No Nagle: PostgreSQL's small messages would each wait for a delayed ACK (~40 ms).
  const server: Server = createServer({ noDelay: true }, (client) => {
    if (outage === 'refuse') return void client.resetAndDestroy();
    const pair: Pair = { client, upstream: null, held: [] };
    pairs.add(pair);
    client.on('data', (d: Buffer) => {
      send(pair, 'upstream', d);
      if (armed && outage === null && d.includes(armed.text)) {
        const { mode, fired: done } = armed;
        armed = null;
        setImmediate(() => {
          cut(mode);
          done();
        });
      }
    });
    client.on('error', () => end(pair));
    client.on('close', () => end(pair));
    if (outage === null) join(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    route(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut,
    cutAfter(text, mode) {
      fired = new Promise((resolve) => (armed = { text, mode, fired: resolve }));
    },
    triggered: () => fired,
    restore() {
      outage = null;
      for (const pair of pairs) {
        if (!pair.upstream) join(pair);
        else for (const h of pair.held.splice(0)) send(pair, h.to, h.data);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) end(pair);
        server.close(() => resolve());
      }),
  };
}

/** A proxy in front of the test file's database for the whole file: started before its tests, closed after. */
export function useTcpFaultProxy(databaseUrl: () => string): () => TcpFaultProxy {
  let proxy: TcpFaultProxy | undefined;
  beforeAll(async () => {
    const u = new URL(databaseUrl());
    proxy = await startTcpFaultProxy({ host: u.hostname, port: Number(u.port || 5432) });
  });
  afterAll(() => proxy?.close());
  return () => {
    if (!proxy) throw new Error('the fault proxy is used before beforeAll started it');
    return proxy;
  };
}
