/**
 * Lets `app.close()` finish: Node's server.close() drops the connections idle at that moment,
 * but a keep-alive connection whose request was still running becomes idle later and would
 * keep the server open until its keep-alive timeout. While closing, each finished response
 * closes the connections that have gone idle.
 */
import type { FastifyInstance } from 'fastify';

export function registerGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onResponse', (_request, _reply, done) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}
