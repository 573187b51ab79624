import { afterAll, describe, expect, it } from 'vitest';
import { directPgTool } from '../../src/db/dump/pg-tools.js';
import { childBaseEnv, restoreStream, type RestoreProgress } from '../../src/db/dump/restore-stream.js';
import { unwrap } from '../../src/shared/failure.js';
import { fillProductionLike } from '../helpers/production-like.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('pg_dump | pg_restore through tierctl', () => {
  it('copies every table exactly and reports tables done / total and bytes as it goes', async () => {
    const source = await createTestDatabase('none');
    const target = await createTestDatabase('none');
    dbs.push(source, target);
    await fillProductionLike(source.url, { models: 10, users: 50, apiLogs: 5000, at: 'tier' });
    const events: RestoreProgress[] = [];
    const r = unwrap(
      await restoreStream(
        { feed: { kind: 'pg_dump', pgDump: 'pg_dump', sourceUrl: source.url }, pgRestore: await directPgTool('pg_restore'), targetUrl: target.url, targetDatabase: target.name, onProgress: (p) => events.push(p) },
        childBaseEnv(process.env),
      ),
    );
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    const tables = Object.keys(await tableChecksums(source.url)).length;
    expect(r.tables).toBe(tables);
    expect(r.dataMs).toBeLessThanOrEqual(r.durationMs);
    // Monotonic, ending at the totals; each table's data named while it loads.
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.tablesDone).toBeGreaterThanOrEqual(events[i - 1]!.tablesDone);
      expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
    }
    expect(events.at(-1)).toEqual({ tablesDone: tables, bytes: r.bytes, doing: null });
    expect(events.map((e) => e.doing)).toContain('data public.api_logs');
    expect(events.some((e) => /^(index|constraint) public\./.test(e.doing ?? ''))).toBe(true);
  });
});
