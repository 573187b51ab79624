import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/db/migrations/ledger.js';
import { migrationChecksum, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { migrationStatus } from '../../src/db/migrations/migration-status.js';

const file = (name: string, sql: string, down: string | null = 'DROP;'): MigrationFile => ({ name, sql, checksum: migrationChecksum(sql), downSql: down });
const row = (name: string, sql: string, over: Partial<LedgerRow> = {}): LedgerRow => ({
  id: `id-${name}`,
  checksum: migrationChecksum(sql),
  finishedAt: new Date('2025-11-08T00:00:00Z'),
  migrationName: name,
  logs: null,
  rolledBackAt: null,
  startedAt: new Date('2025-11-08T00:00:00Z'),
  appliedStepsCount: 1,
  ...over,
});

const files = [file('20251101000000_baseline', 'CREATE TABLE a ();\n', null), file('20251108000000_tier', 'ALTER TABLE a ADD b int;\n'), file('20251109000000_next', 'SELECT 1;\n')];

describe('migrationStatus', () => {
  it('no ledger table: everything pending, ledgerMissing', () => {
    const s = migrationStatus(files, null);
    expect(s.ledgerMissing).toBe(true);
    expect(s.entries.map((e) => e.state)).toEqual(['pending', 'pending', 'pending']);
  });

  it('applied, modified (checksum), failed, pending and rolled back', () => {
    const ledger = [
      row('20251101000000_baseline', 'CREATE TABLE a ();\n'),
      row('20251108000000_tier', 'ALTER TABLE a ADD b bigint;\n'),
      row('20251109000000_next', 'SELECT 1;\n', { finishedAt: null, logs: 'ERROR: boom' }),
    ];
    const s = migrationStatus(files, ledger);
    expect(s.entries.map((e) => [e.name, e.state])).toEqual([
      ['20251101000000_baseline', 'applied'],
      ['20251108000000_tier', 'modified'],
      ['20251109000000_next', 'failed'],
    ]);
    expect(s.entries[2]!.logs).toBe('ERROR: boom');
    expect(s.entries[0]!.hasDownSql).toBe(false);
    expect(migrationStatus(files, ledger.slice(0, 1), new Set(['20251108000000_tier'])).entries.map((e) => e.state)).toEqual(['applied', 'rolled_back', 'pending']);
  });

  it('a failed row later marked rolled back (Prisma resolve --rolled-back) counts as pending', () => {
    const s = migrationStatus(files, [row('20251101000000_baseline', 'CREATE TABLE a ();\n', { finishedAt: null, rolledBackAt: new Date() })]);
    expect(s.entries[0]!.state).toBe('pending');
  });

  it('tolerates a CRLF variant of the same text, as prisma migrate status does', () => {
    const s = migrationStatus(files, [row('20251101000000_baseline', 'CREATE TABLE a ();\r\n')]);
    expect(s.entries[0]!.state).toBe('applied');
  });

  it('lists migrations applied in the database but missing from the directory', () => {
    const s = migrationStatus(files, [row('20251001000000_gone', 'x')]);
    expect(s.unknownInDatabase).toEqual(['20251001000000_gone']);
  });
});
