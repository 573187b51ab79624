import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

const healthSchema = {
  response: {
    '2xx': {
      type: 'object',
      properties: { status: { type: 'string' }, database: { type: 'string' }, timestamp: { type: 'string' } },
    },
    '5xx': {
      type: 'object',
      properties: { status: { type: 'string' }, database: { type: 'string' }, timestamp: { type: 'string' }, error: { type: 'string' } },
    },
  },
} as const;

/** GET /health: 200 healthy when `SELECT 1` answers within 2 s, otherwise 503. */
export function registerHealth(app: FastifyInstance, deps: { readonly pool: pg.Pool; readonly timeoutMs?: number }): void {
  app.get('/health', { schema: healthSchema }, async (request, reply) => {
    const timestamp = new Date().toISOString();
    try {
      await withTimeout(deps.pool.query('SELECT 1'), deps.timeoutMs ?? 2000);
      return { status: 'healthy', database: 'connected', timestamp };
    } catch (e) {
      request.log.warn({ err: (e as Error).message }, 'Health check: database unreachable');
      return reply.code(503).send({ status: 'unhealthy', database: 'disconnected', timestamp, error: 'database unreachable' });
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
