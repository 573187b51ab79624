/**
 * Lets `app.close()` finish: Node's server.close() drops the connections idle at that moment,
 * but a keep-alive connection whose request was still running becomes idle later and would
 * keep the server open until its keep-alive timeout. While closing, each finished response
 * closes the connections that have gone idle (request-recording's onResponse asks `closing`).
 */
import type { FastifyInstance } from 'fastify';

export function trackClosing(app: FastifyInstance): () => boolean {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  return () => closing;
}
