import { describe, expect, it } from 'vitest';
import { runInPty } from '../helpers/run-in-pty.js';
import { useTestDatabase } from '../helpers/test-database.js';

/**
 * Issue 19 item 1: on a pseudo-terminal reporting 0 columns (script, some CI runners,
 * `docker exec -t`) the spinner cleared "infinitely many" lines and never exited: 762 MB of
 * ESC[1A ESC[0K in ten minutes. These run the built CLI on a real 0×0 terminal, killed
 * after a hard timeout or 1 MB of output.
 */
describe('a terminal that reports 0 columns', () => {
  const db = useTestDatabase('baseline');
  const env = () => ({ DATABASE_URL: db().url });
  const cursorUp = /\x1b\[1A/g;

  it.each([{ args: ['preflight'] }, { args: ['migrate', 'status'] }])('$args exits, with bounded output and plain progress lines', async ({ args }) => {
    const r = await runInPty(args, { cols: 0, rows: 0, env: env(), timeoutMs: 60_000 });
    expect(r.killed).toBeNull();
    // A baseline schema without a ledger: preflight blocks (P3005), status reports it (1).
    expect(r.code).toBe(1);
    expect(r.bytes).toBeLessThan(20_000);
    expect(r.output.match(cursorUp) ?? []).toHaveLength(0);
    expect(r.output).toMatch(/[✔✖] (preflight|Reading the migration state)/);
  }, 90_000);

  it('NO_COLOR: the spinner of a normal-width terminal has no colour', async () => {
    const r = await runInPty(['migrate', 'status'], { cols: 100, rows: 30, env: { ...env(), NO_COLOR: '1' }, timeoutMs: 60_000 });
    expect(r.killed).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output).toContain('Reading the migration state');
    expect(r.output).not.toMatch(/\x1b\[(3\d|9\d|2|22|39)m/);
  }, 90_000);

  it('without NO_COLOR the same terminal is coloured (the check above can fail)', async () => {
    const r = await runInPty(['migrate', 'status'], { cols: 100, rows: 30, env: env(), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\x1b\[3\dm/);
  }, 90_000);
});
