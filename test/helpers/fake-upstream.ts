/**
 * A fake OpenAI-compatible upstream (node:http on 127.0.0.1, a free port): records every
 * request it gets and answers the way the test sets (`behave`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamHit {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, any>;
}

/** How the next requests are answered. */
export type Behaviour =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'raw'; readonly text: string; readonly status?: number; readonly contentType?: string }
  /** Each string written as it is, `gapMs` apart; `reset` destroys the socket afterwards instead of ending. */
  | { readonly kind: 'sse'; readonly writes: readonly string[]; readonly gapMs?: number; readonly reset?: boolean }
  /** Never answers (until the client gives up). */
  | { readonly kind: 'hang' };

export interface FakeUpstream {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly hits: UpstreamHit[];
  /** Resolves when a request's connection was closed by the client before the answer ended. */
  readonly clientGone: Promise<void>[];
  behave(next: Behaviour): void;
  close(): Promise<void>;
}

export const sseEvent = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

async function readBody(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return { _raw: text };
  }
}

async function answer(res: ServerResponse, behaviour: Behaviour): Promise<void> {
  if (behaviour.kind === 'hang') return;
  if (behaviour.kind === 'json') {
    res.writeHead(behaviour.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(behaviour.body));
    return;
  }
  if (behaviour.kind === 'raw') {
    res.writeHead(behaviour.status ?? 200, { 'content-type': behaviour.contentType ?? 'application/json' }).end(behaviour.text);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [i, piece] of behaviour.writes.entries()) {
    if (i > 0 && behaviour.gapMs) await new Promise((r) => setTimeout(r, behaviour.gapMs));
    if (res.destroyed) return;
    res.write(piece);
  }
  // Let the written bytes leave before the reset (destroy drops what is still queued).
  if (behaviour.reset) setTimeout(() => res.destroy(), 50);
  else res.end();
}

export async function startFakeUpstream(initial: Behaviour = { kind: 'hang' }): Promise<FakeUpstream> {
  let behaviour = initial;
  const hits: UpstreamHit[] = [];
  const clientGone: Promise<void>[] = [];
  const server = createServer((req, res) => {
    clientGone.push(new Promise((resolve) => res.once('close', () => (res.writableFinished ? undefined : resolve()))));
    void readBody(req).then((body) => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
      return answer(res, behaviour);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    clientGone,
    behave: (next) => void (behaviour = next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An OpenAI chat.completion body as an upstream would send it. */
export function upstreamChatCompletion(content: string, usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }, finish = 'stop') {
  return {
    id: 'chatcmpl-upstream',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'upstream-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage,
  };
}

/** The SSE writes of a streamed chat answer: a role chunk, one chunk per piece, finish, usage, [DONE]. */
export function upstreamChatStream(pieces: readonly string[], usage = { prompt_tokens: 5, completion_tokens: pieces.length, total_tokens: 5 + pieces.length }): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-upstream',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'upstream-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return [
    sseEvent(chunk({ role: 'assistant', content: '' })),
    ...pieces.map((p) => sseEvent(chunk({ content: p }))),
    sseEvent(chunk({}, 'stop')),
    sseEvent({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [], usage }),
    sseEvent('[DONE]'),
  ];
}
