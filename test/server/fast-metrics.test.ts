import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../../src/server/fast-metrics.js';

/** The same updates through prom-client and through fast-metrics must export the same text. */
describe('fast metrics', () => {
  it("export exactly prom-client's text for the same updates", async () => {
    const reference = new Registry();
    const fast = new Registry();
    const buckets = [0.001, 0.005, 0.01, 0.5];
    const c1 = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status'], registers: [reference] });
    const c2 = new FastCounter('http_requests_total', 'HTTP requests', ['route', 'method', 'status'], fast);
    const h1 = new Histogram({ name: 'latency_seconds', help: 'Latency "quoted"', labelNames: ['route'], buckets, registers: [reference] });
    const h2 = new FastHistogram('latency_seconds', 'Latency "quoted"', ['route'], buckets, fast);
    const updates: [string, string, string, number][] = [
      ['/v1/models', 'GET', '200', 0.0004],
      ['/v1/chat/completions', 'POST', '403', 0.005],
      ['/v1/models', 'GET', '200', 0.0051],
      ['unmatched', 'GET', '404', 3],
      ['/v1/chat/completions', 'POST', '403', 0.001],
      ['a "quoted"\\route', 'GET', '200', 0],
    ];
    for (const [route, method, status, seconds] of updates) {
      c1.inc({ route, method, status });
      c2.inc({ route, method, status });
      h1.observe({ route }, seconds);
      h2.observe({ route }, seconds);
    }
    c1.inc({ route: '/x', method: 'GET', status: '200' }, 5);
    c2.inc({ route: '/x', method: 'GET', status: '200' }, 5);
    expect(await fast.metrics()).toBe(await reference.metrics());
    expect(await fast.metrics()).toContain('latency_seconds_bucket{le="0.005",route="/v1/chat/completions"} 2');
    reference.resetMetrics();
    fast.resetMetrics();
    expect(await fast.metrics()).toBe(await reference.metrics());
  });

  it('refuse labels other than the declared ones, and non-finite observations', () => {
    const registry = new Registry();
    const c = new FastCounter('c_total', 'c', ['result'], registry);
    expect(() => c.inc({ result: 'hit', extra: 'x' } as never)).toThrow(/labels must be exactly result/);
    expect(() => c.inc({} as never)).toThrow(/labels must be exactly result/);
    const h = new FastHistogram('h_seconds', 'h', ['result'], [1], registry);
    expect(() => h.observe({ result: 'ok' }, Number.NaN)).toThrow(/not a finite number/);
  });
});
