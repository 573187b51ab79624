import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../src/db/dump/csv-records.js';
import { copyCsvLine } from '../../src/db/dump/models-csv.js';

describe('csvRecords (the rollback check matches models by id)', () => {
  it("keys each COPY CSV record by its first field, quotes, doubled quotes and newlines inside fields included", () => {
    const csv = copyCsvLine(['id', 'display_name', 'is_available', 'credits_per_1k_tokens'])
      + copyCsvLine(['a,b', 'Comma "quoted"', 't', '3'])
      + copyCsvLine(['gpt-5', 'two\nlines', 'f', '10'])
      + copyCsvLine(['', null, 't', '1']);
    const records = csvRecords(csv);
    expect(records.map((r) => r.key)).toEqual(['id', 'a,b', 'gpt-5', '']);
    expect(records[1]!.text).toBe('"a,b","Comma ""quoted""",t,3');
    expect(records[2]!.text).toBe('gpt-5,"two\nlines",f,10');
    expect(records.map((r) => `${r.text}\n`).join('')).toBe(csv);
  });
});
