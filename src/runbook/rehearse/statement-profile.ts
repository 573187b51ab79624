import type pg from 'pg';
import { splitSqlStatements } from '../../db/migrations/sql-statements.js';
import { classifyStatement } from '../../db/migrations/statement-locks.js';

/**
 * Each statement of the migrations (or of their down.sql) run on the copy, one at a time,
 * in ONE transaction that is rolled back: how long each takes on the real table sizes,
 * which table locks it really took (read from pg_locks after it, not guessed), and how
 * long each lock would be held — a lock taken by a statement is held until its
 * migration's COMMIT, so through every statement after it. Our own pg_locks reads are not
 * counted in the times.
 */
export interface ProfiledLock {
  readonly relation: string;
  readonly mode: string;
}

export interface StatementTiming {
  readonly migration: string;
  /** 1-based position in its script. */
  readonly index: number;
  readonly sql: string;
  readonly kind: string;
  /** When it started, from its migration's BEGIN (instrumentation left out). */
  readonly startMs: number;
  readonly durationMs: number;
  /** Locks on existing relations that this statement took first. */
  readonly locks: readonly ProfiledLock[];
  /** From this statement's start to its migration's COMMIT: how long those locks are held. */
  readonly holdMs: number;
}

export interface StatementProfile {
  readonly direction: 'apply' | 'rollback';
  readonly statements: readonly StatementTiming[];
  readonly migrations: readonly { readonly name: string; readonly durationMs: number }[];
  /** The statement that failed, if one did (the real run would fail there too). */
  readonly failed: { readonly migration: string; readonly index: number; readonly sql: string; readonly error: string } | null;
  /** The longest ACCESS EXCLUSIVE hold on `models` (0 when none was taken). */
  readonly modelsAccessExclusiveMs: number;
}

/** Relation-level locks this session holds now on relations that existed before the profile (named as they were). */
async function locksHeld(client: pg.ClientBase, existing: ReadonlyMap<number, string>): Promise<Map<string, ProfiledLock>> {
  const { rows } = await client.query<{ oid: number; mode: string }>(
    `SELECT l.relation::int AS oid, l.mode FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted`,
  );
  const held = new Map<string, ProfiledLock>();
  for (const r of rows) {
    const relation = existing.get(r.oid);
    if (relation === undefined) continue;
    const mode = r.mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    held.set(`${relation}|${mode}`, { relation, mode });
  }
  return held;
}

const bareName = (name: string) => name.split('.').at(-1)!.replace(/^"|"$/g, '').toLowerCase();

/**
 * The locks a statement takes: what pg_locks shows new after it, plus — when an earlier
 * migration of this same profile already holds it (in reality released at that
 * migration's COMMIT) — the lock its kind of statement takes on the tables it names.
 */
function takenBy(sql: string, before: Map<string, ProfiledLock>, after: Map<string, ProfiledLock>, heldAtScriptStart: Map<string, ProfiledLock>): ProfiledLock[] {
  const taken = new Map([...after].filter(([k]) => !before.has(k)));
  const c = classifyStatement(sql);
  for (const [k, l] of heldAtScriptStart) {
    if (c.lock === l.mode && c.relations.some((r) => bareName(r) === bareName(l.relation))) taken.set(k, l);
  }
  return [...taken.values()];
}

/**
 * `oneTransaction`: the scripts run in one transaction (a rollback runs every down.sql in
 * one), so a lock is held to the end of the last script; otherwise (apply: one transaction
 * per migration) to the end of its own script.
 */
export async function profileStatements(
  client: pg.ClientBase,
  direction: StatementProfile['direction'],
  scripts: readonly { readonly name: string; readonly sql: string }[],
  options: { readonly oneTransaction: boolean; readonly lockTimeoutMs?: number },
): Promise<StatementProfile> {
  const statements: StatementTiming[] = [];
  const migrations: { name: string; durationMs: number }[] = [];
  let failed: StatementProfile['failed'] = null;
  let at = 0;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs ?? 5000}ms`]);
    const { rows } = await client.query<{ oid: number; name: string }>(
      `SELECT oid::int AS oid, oid::regclass::text AS name FROM pg_class WHERE relnamespace <> 'pg_catalog'::regnamespace AND relkind IN ('r', 'p', 'i', 'S', 'm', 'v')`,
    );
    const existing = new Map(rows.map((r) => [r.oid, r.name]));
    let scriptStart = 0;
    for (const script of scripts) {
      if (!options.oneTransaction) at = 0;
      scriptStart = at;
      const atStart = await locksHeld(client, existing);
      let held = atStart;
      for (const [i, sql] of splitSqlStatements(script.sql).entries()) {
        const t0 = performance.now();
        try {
          await client.query(sql);
        } catch (e) {
          failed = { migration: script.name, index: i + 1, sql, error: (e as Error).message };
          break;
        }
        const durationMs = performance.now() - t0;
        const now = await locksHeld(client, existing);
        statements.push({ migration: script.name, index: i + 1, sql, kind: classifyStatement(sql).kind, startMs: at, durationMs, locks: takenBy(sql, held, now, atStart), holdMs: 0 });
        held = now;
        at += durationMs;
      }
      migrations.push({ name: script.name, durationMs: at - scriptStart });
      if (!options.oneTransaction) for (const s of statements) if (s.migration === script.name) (s as { holdMs: number }).holdMs = at - s.startMs;
      if (failed) break;
    }
    if (options.oneTransaction) for (const s of statements) (s as { holdMs: number }).holdMs = at - s.startMs;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
  const onModels = statements.filter((s) => s.locks.some((l) => l.mode === 'ACCESS EXCLUSIVE' && bareName(l.relation) === 'models'));
  return { direction, statements, migrations, failed, modelsAccessExclusiveMs: Math.max(0, ...onModels.map((s) => s.holdMs)) };
}
