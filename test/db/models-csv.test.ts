import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyCsvField, modelsCsv } from '../../src/db/dump/models-csv.js';
import { useTestDatabase } from '../helpers/test-database.js';

const run = promisify(execFile);
const db = useTestDatabase('baseline');

/** The guide's own command (step 5), run with psql, ordered like ours. */
async function guideCsv(dbName: string): Promise<string> {
  const sql = 'COPY (SELECT id, display_name, is_available, credits_per_1k_tokens FROM models ORDER BY id) TO STDOUT WITH CSV HEADER';
  return (await run('psql', ['-X', '-h', '127.0.0.1', '-U', 'postgres', '-d', dbName, '-c', sql])).stdout;
}

describe('models CSV (guide step 5)', () => {
  it('quotes fields the way COPY ... CSV does', () => {
    expect(copyCsvField(null)).toBe('');
    expect(copyCsvField('')).toBe('""');
    expect(copyCsvField('plain')).toBe('plain');
    expect(copyCsvField('a,b')).toBe('"a,b"');
    expect(copyCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(copyCsvField('\\.')).toBe('\\.');
  });

  it('is byte for byte what psql COPY TO STDOUT WITH CSV HEADER prints, awkward values included', async () => {
    await db().pool.query(
      `INSERT INTO models (id, name, display_name, provider, is_available, credits_per_1k_tokens) VALUES
        ('gpt-5', 'GPT-5', 'GPT-5', 'mock', true, 30),
        ('comma', 'x', 'Claude, "3.5" Sonnet', 'mock', false, 0),
        ('newline', 'x', E'two\\nlines\\r\\n', 'mock', true, 7),
        ('empty', 'x', '', 'mock', true, 1),
        ('dot', 'x', E'\\\\.', 'mock', true, 1),
        ('unicode', 'x', 'Gémini ✓', 'mock', false, 12)`,
    );
    const client = await db().pool.connect();
    try {
      const ours = await modelsCsv(client, 'public');
      expect(ours.rows).toBe(6);
      expect(ours.csv).toBe(await guideCsv(db().name));
      expect(ours.csv.split('\n')[0]).toBe('id,display_name,is_available,credits_per_1k_tokens');
    } finally {
      client.release();
    }
  });
});
