import { expect, it } from 'vitest';
import { soak } from '../helpers/soak.js';

it('2,000 requests then SIGTERM: exactly one api_logs row each, as the client saw it; connections within the pool', async () => {
  const r = await soak({ requests: 2_000, warmup: 200, concurrency: 16 });
  expect(r.exitCode).toBe(0);
  // Per route, user, model, status and error code: what the client saw is what api_logs holds.
  expect(r.logged).toEqual(r.seen);
  expect(Object.values(r.logged).reduce((a, b) => a + b, 0)).toBe(r.requests);
  // The mix really had allowed, denied and unknown-model answers, denials for free and pro.
  const outcomes = new Set(Object.keys(r.seen).map((k) => k.split(' ').slice(-2).join(' ')));
  expect([...outcomes].sort()).toEqual(['200 -', '403 model_access_restricted', '404 model_not_found']);
  for (const u of ['free', 'pro']) expect(Object.keys(r.seen).filter((k) => k.includes(` ${u}@example.com `) && k.endsWith(' 403 model_access_restricted'))).not.toEqual([]);
  // Connections: the request pool within its size, the api_logs writer and the listener one each.
  expect(r.connectionSamples).toBeGreaterThan(1);
  expect(r.maxConnections['tierctl-server']).toBeGreaterThan(0);
  expect(r.maxConnections['tierctl-server']).toBeLessThanOrEqual(r.poolSize);
  expect(r.maxConnections['tierctl-server-api-logs'] ?? 0).toBeLessThanOrEqual(1);
  expect(r.maxConnections['tierctl-server-listener'] ?? 0).toBeLessThanOrEqual(1);
  expect(r.maxConnectionsTotal).toBeLessThanOrEqual(r.poolSize + r.dedicatedConnections);
}, 90_000);
