/**
 * A gateway on loopback that serves the real app under a path prefix only, as an API
 * behind `https://host/api` is served: `/api/health` reaches the app's `/health`; any other
 * path is a 404 HTML page, as such gateways answer. Records every path asked for.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrefixProxy {
  /** The gateway's root (no prefix), e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request's path and query, in order. */
  readonly paths: string[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

export async function startPrefixProxy(upstream: string, prefix: string): Promise<PrefixProxy> {
  const paths: string[] = [];
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    const body = await readBody(req);
    if (!path.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>404 Not Found</h1><p>${path}</p></body></html>`);
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
    const up = await fetch(new URL(path.slice(prefix.length), upstream), { method: req.method ?? 'GET', headers, ...(body.length ? { body } : {}) });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
