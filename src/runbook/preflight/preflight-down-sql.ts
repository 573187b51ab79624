import type pg from 'pg';
import { migrationsDirLabel, type MigrationFile } from '../../db/migrations/migration-files.js';
import { recordOfApplied, sha256 } from '../../db/migrations/migration-records.js';
import type { MigrationStatus } from '../../db/migrations/migration-status.js';
import { preflightCheck, type PreflightCheck } from './preflight-check.js';

/**
 * The rollback's safety net, checked before the deployment: every applied migration tierctl
 * keeps a record of has the down.sql it had when it was applied (its SHA-256 is in the
 * record). One edited since is a warning: `migrate rollback` (and deploy's automatic
 * rollback) will refuse it until it is restored or named with --allow-edited-down. Migrations
 * Prisma applied (no record) have nothing to compare with; the rollback's catalog check covers them.
 */
export async function downSqlCheck(client: pg.ClientBase, schema: string, files: readonly MigrationFile[], status: MigrationStatus, dir: string): Promise<PreflightCheck> {
  const title = 'down.sql as applied';
  const applied = status.entries.filter((e) => e.state === 'applied' || e.state === 'modified').map((e) => e.name);
  const edited: { migration: string; now: string | null; whenApplied: string | null }[] = [];
  let recorded = 0;
  for (const name of applied) {
    const record = await recordOfApplied(client, schema, name);
    if (!record) continue;
    recorded += 1;
    const file = files.find((f) => f.name === name);
    const now = file?.downSql == null ? null : sha256(file.downSql);
    if (now !== record.downSha256) edited.push({ migration: name, now, whenApplied: record.downSha256 });
  }
  if (edited.length > 0) {
    const names = edited.map((e) => e.migration);
    return preflightCheck('down-sql', title, 'warn', `down.sql edited since its migration was applied: ${names.join(', ')} (a rollback refuses it)`, {
      details: edited.map((e) => ({ migration: e.migration, sha256Now: e.now ?? '(no down.sql)', sha256WhenApplied: e.whenApplied ?? '(none)' })),
      hint: `Review the change (git diff ${migrationsDirLabel(dir)}/NAME/down.sql) and restore the file as applied; to roll back with it anyway, name it: ${names.map((n) => `--allow-edited-down ${n}`).join(' ')} (the catalog check still applies).`,
    });
  }
  if (recorded === 0) return preflightCheck('down-sql', title, 'ok', applied.length === 0 ? 'No migration applied yet' : 'No tierctl record of the applied migrations (applied by Prisma): the rollback checks the catalog instead');
  return preflightCheck('down-sql', title, 'ok', `${recorded} applied migration(s) with the down.sql they were applied with`);
}
