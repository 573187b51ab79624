import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('all');
let server: RunningApp;
beforeAll(async () => {
  server = await startApp(db());
});
afterAll(async () => {
  await server?.close();
});

describe('GET /health', () => {
  it('answers 200 healthy with the database connected', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'healthy', database: 'connected' });
    expect(Number.isNaN(Date.parse(String(body.timestamp)))).toBe(false);
  });

  it('answers 503 unhealthy when the database cannot be reached', async () => {
    const down = await startApp(db(), { database: plainTarget('postgresql://postgres@127.0.0.1:1/nowhere') });
    try {
      const res = await fetch(`${down.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unhealthy', database: 'disconnected' });
    } finally {
      await down.close();
    }
  });
});
