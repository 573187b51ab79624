import type pg from 'pg';
import type { MigrationStatus } from '../../db/migrations/migration-status.js';
import { migrationsDirLabel, TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { TIER_COLUMNS, TIER_INDEXES, type TierSchemaState } from '../../db/tier-columns.js';
import { preflightCheck, type PreflightCheck } from './preflight-check.js';
import { MANUAL_ROLLBACK_HINT, PARTIAL_MANUAL_ROLLBACK_HINT } from '../migrate/migration-problems.js';

/**
 * ALTER TABLE needs ownership of the table (being its owner, a member that inherits the
 * owning role, or a superuser): has_table_privilege cannot say that, so ownership is checked.
 */
export async function alterPrivilegeCheck(client: pg.ClientBase, schema: string): Promise<PreflightCheck> {
  const title = 'Privilege to ALTER models';
  const { rows } = await client.query<{ me: string; superuser: boolean; owner: string | null; owns: boolean | null; can_create: boolean }>(
    `SELECT current_user AS me, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            c.relowner::regrole::text AS owner, pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
            coalesce(CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1::text) THEN has_schema_privilege(current_user, $1::text, 'CREATE') END, false) AS can_create
       FROM (SELECT 1) one
       LEFT JOIN pg_class c ON c.oid = to_regclass(format('%I.models', $1::text))`,
    [schema],
  );
  const r = rows[0]!;
  if (r.owner === null) {
    return r.superuser || r.can_create
      ? preflightCheck('alter-privilege', title, 'ok', `No models table yet; ${r.me} may create tables in schema ${schema}`)
      : preflightCheck('alter-privilege', title, 'blocker', `No models table, and ${r.me} may not create tables in schema ${schema}`);
  }
  if (r.superuser) return preflightCheck('alter-privilege', title, 'ok', `${r.me} is a superuser`);
  if (r.owns) return preflightCheck('alter-privilege', title, 'ok', r.owner === r.me ? `${r.me} owns models` : `${r.me} inherits the owning role ${r.owner}`);
  return preflightCheck('alter-privilege', title, 'blocker', `${r.me} cannot ALTER models: it is owned by ${r.owner}, and ${r.me} is neither that role, a member inheriting it, nor a superuser`, {
    hint: `Run the migration as ${r.owner} (or a member of it), or GRANT ${r.owner} TO ${r.me}.`,
  });
}

const tierEntry = (status: MigrationStatus) => status.entries.find((e) => e.name === TIER_MIGRATION);

/**
 * The catalog against the ledger: an empty database, baseline only, applied, or the guide's
 * "Column already exists" case. `tableCount`: tables in the schema (0: nothing at all yet).
 */
export function schemaStateCheck(tier: TierSchemaState, status: MigrationStatus, tableCount: number, dir: string): PreflightCheck {
  const title = 'Tier schema state';
  const entry = tierEntry(status);
  const ledgerSaysApplied = entry?.state === 'applied' || entry?.state === 'modified';
  const missing = [...TIER_COLUMNS.filter((c) => !tier.columns.includes(c)), ...TIER_INDEXES.filter((i) => !tier.indexes.includes(i))];
  const present = [...tier.columns, ...tier.indexes];
  const wayOut =
    `The migration was partially applied before (the guide's "Column already exists" case): migrate apply would fail. ` +
    `In production, restore the backup taken before it (tierctl restore MANIFEST). Otherwise remove what it left ` +
    `(${migrationsDirLabel(dir)}/${TIER_MIGRATION}/down.sql drops exactly these, IF EXISTS) and apply again; only when all five ` +
    `are present and correct, in development, mark it applied: tierctl migrate resolve --applied ${TIER_MIGRATION}.`;
  if (tier.state === 'partial' && ledgerSaysApplied) {
    return preflightCheck('schema-state', title, 'blocker', `The ledger says ${TIER_MIGRATION} is applied, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (dropped by hand?); ${present.join(', ')} still present`, {
      hint: `${PARTIAL_MANUAL_ROLLBACK_HINT} Then deploy again.`,
    });
  }
  if (tier.state === 'partial') {
    return preflightCheck('schema-state', title, 'blocker', `PARTIALLY applied: ${present.join(', ')} present; missing ${missing.join(', ')}`, { hint: wayOut });
  }
  if (tier.state === 'present' && !ledgerSaysApplied) {
    return preflightCheck('schema-state', title, 'blocker', `PARTIALLY applied: the tier columns and indexes exist, but _prisma_migrations has no applied row for ${TIER_MIGRATION}`, {
      hint: wayOut,
    });
  }
  if (tier.state === 'present') return preflightCheck('schema-state', title, 'ok', `Tier migration applied (${present.length} columns and indexes present, ledger agrees): migrate apply has nothing to do`);
  if (ledgerSaysApplied) {
    return preflightCheck('schema-state', title, 'blocker', `The ledger says ${TIER_MIGRATION} is applied, but none of its columns or indexes exist (dropped by hand?)`, {
      hint: `${MANUAL_ROLLBACK_HINT} Then deploy again.`,
    });
  }
  if (tableCount === 0) return preflightCheck('schema-state', title, 'ok', `Empty database (no tables at all): the baseline and ${TIER_MIGRATION} are both pending`);
  return preflightCheck('schema-state', title, 'ok', `Baseline only: ${TIER_MIGRATION} is pending`);
}

/** Prisma's ledger: failed migrations block deploy (P3009); an edited migration.sql is drift. */
export function ledgerCheck(status: MigrationStatus, tableCount: number, dir: string): PreflightCheck {
  const title = 'Migration ledger';
  const details = status.entries.map((e) => ({ migration: e.name, state: e.state, appliedAt: e.appliedAt?.toISOString() ?? null }));
  if (status.ledgerMissing) {
    if (tableCount === 0) return preflightCheck('ledger', title, 'ok', 'Empty database: migrate apply will create everything', { details });
    return preflightCheck('ledger', title, 'blocker', `No _prisma_migrations table, but the database has ${tableCount} table(s) (Prisma P3005: the schema is not empty)`, {
      details,
      hint: 'If this database already has the baseline schema, mark it: tierctl migrate baseline.',
    });
  }
  const failed = status.entries.filter((e) => e.state === 'failed');
  if (failed.length > 0) {
    return preflightCheck('ledger', title, 'blocker', `Failed migration pending: ${failed.map((f) => `${f.name}${f.logs ? ` (${f.logs.split('\n')[0]})` : ''}`).join('; ')} (Prisma P3009)`, {
      details,
      hint: 'Find out what it left in the database, then tierctl migrate resolve --rolled-back NAME (or --applied NAME if it did complete).',
    });
  }
  const modified = status.entries.filter((e) => e.state === 'modified');
  const pending = status.entries.filter((e) => e.state === 'pending' || e.state === 'rolled_back');
  const notes = [
    modified.length > 0 ? `migration.sql edited after it was applied: ${modified.map((m) => m.name).join(', ')}` : null,
    status.unknownInDatabase.length > 0 ? `applied in the database but not in ${migrationsDirLabel(dir)}: ${status.unknownInDatabase.join(', ')}` : null,
  ].filter((n): n is string => n !== null);
  const summary = `${status.entries.length - pending.length} applied, ${pending.length} pending${pending.length ? ` (${pending.map((p) => p.name).join(', ')})` : ''}`;
  if (notes.length > 0) {
    return preflightCheck('ledger', title, 'warn', `${summary}; ${notes.join('; ')}`, {
      details,
      hint: 'Drift: the files are not what was applied. Restore the committed migration files (git) or find out who changed them.',
    });
  }
  return preflightCheck('ledger', title, 'ok', summary, { details });
}
