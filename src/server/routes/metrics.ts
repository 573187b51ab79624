import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics.js';

/** GET /metrics: Prometheus text of this app's registry. */
export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  const schema = { response: { 200: { type: 'string' } } } as const;
  app.get('/metrics', { schema }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
