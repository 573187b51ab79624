/**
 * api_logs through a database outage, end to end: a real server under steady traffic, its
 * PostgreSQL taken away (a TCP proxy resets every connection) for longer than a small
 * `maxQueued` lasts, then brought back. Every answered request carries its `x-request-id`;
 * afterwards each one is a row of the table exactly once or among the rows the dropped
 * counter on /metrics counts, never both, and recorded = written + dropped + queued in every
 * scrape.
 */
import { describe, expect, it } from 'vitest';
import { API_LOG_METRICS } from '../../src/server/api-log-metrics.js';
import { createTokenService } from '../../src/server/auth/token-service.js';
import { captureLog } from '../helpers/capture-log.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, TEST_JWT_SECRET } from '../helpers/server.js';
import { startTraffic, type TrafficRequest } from '../helpers/steady-traffic.js';
import { useTcpFaultProxy } from '../helpers/tcp-fault-proxy.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const proxy = useTcpFaultProxy(() => db().url);

interface Scrape {
  readonly recorded: number;
  readonly written: number;
  readonly dropped: number;
  readonly queued: number;
}

const MAX_QUEUED = 30;

describe('api_logs through a database outage', () => {
  it('every answered request is one row or one counted drop, row by row, against the table and /metrics', async () => {
    // The catalog and one free user (no bcrypt: the token is issued directly, not by a login).
    await seedSandbox(db(), { users: false });
    const { rows: users } = await db().pool.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ('outage@example.com', 'x') RETURNING id`);
    const userId = users[0]!.id;
    await db().pool.query(`INSERT INTO subscriptions (user_id, tier, status, current_period_end) VALUES ($1, 'free', 'active', now() + interval '30 days')`, [userId]);
    const { token } = await createTokenService({ secret: TEST_JWT_SECRET }).issue(userId);
    await db().pool.query('TRUNCATE api_logs');
    const log = captureLog('info');
    const server = await startApp({ ...db(), url: proxy().route(db().url) }, { logger: log.logger, apiLogs: { flushIntervalMs: 25, maxBatch: 100, maxQueued: MAX_QUEUED, closeRetryMs: 3_000 } });
    const ours: string[] = []; // request ids of the test's own calls (the scrapes)
    const call = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      ours.push(res.headers.get('x-request-id')!);
      return res;
    };
    const health = async () => (await (await call('/health')).json()) as { database: string };
    const scrapes: Scrape[] = [];
    const scrape = async (): Promise<Scrape> => {
      const text = await (await call('/metrics')).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      const s = { recorded: value(API_LOG_METRICS.recorded), written: value(API_LOG_METRICS.written), dropped: value(API_LOG_METRICS.dropped), queued: value(API_LOG_METRICS.queued) };
      scrapes.push(s);
      return s;
    };
    const mix: TrafficRequest[] = [
      { kind: 'health', method: 'GET', path: '/health' },
      { kind: 'models', method: 'GET', path: '/v1/models', token },
      { kind: 'denied', method: 'POST', path: '/v1/chat/completions', token, body: { model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hi' }] } },
      { kind: 'unknown', method: 'GET', path: '/no-such-route' },
    ];
    const traffic = startTraffic(server.url, mix, 120, { maxMs: 20_000 });
    let samples;
    try {
      await waitFor('rows written before the outage', async () => (await scrape()).written >= 10, 10_000, 50);
      proxy().cut('refuse');
      await waitFor('the queue overflowed', async () => (await scrape()).dropped >= MAX_QUEUED, 10_000, 50);
      // The database really is gone for the app, not only for the api_logs writer.
      await waitFor('the app to see the database gone', async () => (await health()).database === 'disconnected', 10_000, 50);
      proxy().restore();
      const back = await scrape();
      await waitFor('writes past the outage', async () => {
        const s = await scrape();
        return s.written > back.written && s.written + s.dropped >= back.recorded + 10;
      }, 10_000, 50);
    } finally {
      samples = await traffic.stop();
    }
    // Drained (the scrapes' own rows aside): no row recorded from here on can overflow the queue.
    const last = await waitFor('the queue drained', async () => {
      const s = await scrape();
      return s.queued <= 2 && s;
    }, 10_000, 50);
    await server.close();

    // Denials were recorded too (the guide's evidence).
    expect(samples.filter((s) => s.kind === 'denied').map((s) => s.status)).toContain(403);
    expect(samples.filter((s) => s.status === 0)).toEqual([]);
    const answered = [...samples.map((s) => s.requestId!), ...ours];
    const ids = new Set(answered);
    expect(ids.size).toBe(answered.length);
    for (const s of scrapes) expect(s.recorded).toBe(s.written + s.dropped + s.queued);

    const closed = log.find('api_logs: all ')[0]!;
    expect(closed).toMatchObject({ recorded: ids.size, abandoned: 0, commitUnknown: 0, queued: 0 });
    const { rows } = await db().pool.query<{ request_id: string | null }>('SELECT request_id FROM api_logs');
    const table = new Set(rows.map((r) => r.request_id));
    expect(table.size).toBe(rows.length); // no row twice
    expect([...table].filter((id) => id === null || !ids.has(id))).toEqual([]); // no row for a request nobody made
    expect(closed.written).toBe(rows.length);
    const missing = answered.filter((id) => !table.has(id));
    expect(closed.written + closed.dropped).toBe(closed.recorded);
    expect(missing.length).toBe(closed.dropped);
    // Nothing dropped after the last scrape (the database back, the queue drained): its counter is the final one.
    expect(closed.dropped).toBe(last.dropped);
    expect(last.dropped).toBeGreaterThanOrEqual(MAX_QUEUED);
    // Each drop log line names rows that are missing, and the lines add up to the counter.
    const drops = log.find('api_logs: ').filter((e) => e.firstRequestId);
    expect(drops.reduce((n, e) => n + e.count, 0)).toBe(last.dropped);
    const gone = new Set(missing);
    for (const e of drops) expect([gone.has(e.firstRequestId), gone.has(e.lastRequestId)]).toEqual([true, true]);
  });
});
