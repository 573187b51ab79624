/**
 * A small HTTP proxy in front of the real app that breaks chosen responses, so a test can
 * show that a check fails when the target misbehaves in exactly one way.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  /** The body text; `json` is the parsed body when it was JSON (edit it to change the body). */
  text: string;
  json: unknown;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorized: boolean;
  readonly body: unknown;
}

/**
 * Changes the response in place. Return 'text' to send `text` as it is instead of
 * re-serialising `json`; 'hang' to never answer; 'cut' to send the status line and half the
 * body, then drop the connection.
 */
export type Fault = (req: ProxiedRequest, res: ProxiedResponse) => void | 'text' | 'hang' | 'cut';

export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

export async function startFaultProxy(upstream: string, fault: Fault): Promise<FaultProxy> {
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const up = await fetch(new URL(req.url ?? '/', upstream), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
    const text = await up.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    let parsedBody: unknown;
    try {
      parsedBody = body ? JSON.parse(body) : undefined;
    } catch {
      parsedBody = undefined;
    }
    const out: ProxiedResponse = { status: up.status, headers: { 'content-type': up.headers.get('content-type') ?? 'application/json' }, text, json };
    const mode = fault({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, authorized: Boolean(req.headers.authorization), body: parsedBody }, out);
    if (mode === 'hang') return;
    const sent = mode === 'text' || out.json === undefined ? out.text : JSON.stringify(out.json);
    if (mode === 'cut') {
      res.writeHead(out.status, { ...out.headers, 'content-length': String(Buffer.byteLength(sent)) });
      res.write(sent.slice(0, Math.floor(sent.length / 2)));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.writeHead(out.status, out.headers);
    res.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // hung requests too
      }),
  };
}
