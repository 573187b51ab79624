import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { BATCH_CHARS, BATCH_MS, cachedIsoTime, createLogDestination } from '../../src/server/log-destination.js';

const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'tierctl-log-')), 'server.log');
const lines = (text: string) => text.split('\n').filter(Boolean);

describe('createLogDestination (batched log lines)', () => {
  it('holds a few lines for at most BATCH_MS, then writes them in order', async () => {
    const file = await tempFile();
    const dest = createLogDestination(file);
    dest.write('one\n');
    dest.write('two é\n');
    // Read synchronously: no timer can run between the writes and the read.
    expect(readFileSync(file, 'utf8')).toBe('');
    await sleep(BATCH_MS);
    await waitFor('the held lines written', async () => (await readFile(file, 'utf8')) === 'one\ntwo é\n', 5000);
  });

  it('writes at once when BATCH_CHARS are pending, and flushSync writes the rest', async () => {
    const file = await tempFile();
    const dest = createLogDestination(file);
    const line = `${'x'.repeat(99)}\n`;
    const count = Math.ceil(BATCH_CHARS / line.length) + 3;
    for (let i = 0; i < count; i++) dest.write(line);
    const written = lines(readFileSync(file, 'utf8')).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(count);
    dest.flushSync();
    expect(lines(await readFile(file, 'utf8'))).toHaveLength(count);
  });

  it("is what pino's logger.flush empties, and pino's lines keep their shape", async () => {
    const file = await tempFile();
    const log = pino({ base: null, timestamp: cachedIsoTime() }, createLogDestination(file));
    log.info({ userId: 'u1' }, 'Tier access check completed');
    log.warn('Model access denied');
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    const [first, second] = lines(await readFile(file, 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 30, userId: 'u1', msg: 'Tier access check completed' });
    expect(second).toMatchObject({ level: 40, msg: 'Model access denied' });
    expect(first!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('cachedIsoTime', () => {
  it("formats as pino's isoTime does, and follows the clock", async () => {
    const time = cachedIsoTime();
    const a = time();
    expect(a).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
    const t = Date.parse(JSON.parse(`{${a.slice(1)}}`).time);
    expect(Math.abs(Date.now() - t)).toBeLessThan(1000);
    await sleep(5);
    expect(time()).not.toBe(a);
  });
});
