import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { csvRecords } from '../../db/dump/csv-records.js';
import { modelsCsv } from '../../db/dump/models-csv.js';
import { checkTierSchema } from '../../db/migrations/tier-schema-check.js';
import { waitTierFields } from '../../verify/wait-tier-fields.js';
import { ok, type Result } from '../../shared/failure.js';
import { readManifest } from '../backup/backup-manifest.js';
import type { DatabaseTarget } from '../../shared/database-target.js';

/** One item of the guide's "Verify Rollback" (step 6). */
export interface RollbackCheck {
  readonly id: 'schema' | 'api' | 'models-csv';
  readonly title: string;
  /** `warn`: passed, with something to read (models added since the backup). */
  readonly result: 'pass' | 'warn' | 'fail' | 'skipped';
  readonly detail: string;
}

/**
 * `GET /v1/models` answers without the tier fields. Instances that kept running through the
 * rollback notice the columns are gone on their own, so this waits up to `waitMs` for it.
 */
export async function apiWithoutTierFields(apiUrl: string, o: { waitMs: number; timeoutMs: number; signal?: AbortSignal }): Promise<RollbackCheck> {
  const title = '/v1/models answers without tier fields';
  const r = await waitTierFields(apiUrl, 'absent', o);
  return r.ok ? { id: 'api', title, result: 'pass', detail: `no model carries a tier field (after ${r.value.waitedMs} ms)` } : { id: 'api', title, result: 'fail', detail: r.failure.message };
}

/** The CSV the backup took before the migration: from a manifest, or a file given directly. */
export async function beforeCsvPath(source: { manifest?: string; csv?: string }): Promise<Result<string | null>> {
  if (source.csv) return ok(source.csv);
  if (!source.manifest) return ok(null);
  const m = await readManifest(source.manifest);
  if (!m.ok) return m;
  return ok(m.value.files.modelsCsv ? join(dirname(source.manifest), m.value.files.modelsCsv.name) : null);
}

/**
 * The guide keeps the models CSV "for rollback verification": every model it holds must be
 * printed again by the database, byte for byte. A model missing or changed fails; a model
 * added since the backup (new ids only) is no loss: it is listed as a warning.
 */
export async function modelsMatchCsv(database: DatabaseTarget, csvPath: string | null): Promise<RollbackCheck> {
  const title = 'models match the CSV taken before the migration';
  if (!csvPath) return { id: 'models-csv', title, result: 'skipped', detail: 'no CSV: give --backup MANIFEST (or --models-csv FILE)' };
  let before: string;
  try {
    before = await readFile(csvPath, 'utf8');
  } catch (e) {
    return { id: 'models-csv', title, result: 'fail', detail: `cannot read ${csvPath}: ${(e as Error).message}` };
  }
  const now = await withMigrationSession(database, 'rollback', async (client, schema) => ok((await modelsCsv(client, schema)).csv), { plain: true });
  if (!now.ok) return { id: 'models-csv', title, result: 'fail', detail: now.failure.message };
  return compareModelsCsv(title, csvPath, before, now.value);
}

function compareModelsCsv(title: string, csvPath: string, before: string, now: string): RollbackCheck {
  const [headBefore, ...rowsBefore] = csvRecords(before);
  const [headNow, ...rowsNow] = csvRecords(now);
  if (headBefore?.text !== headNow?.text) return { id: 'models-csv', title, result: 'fail', detail: `${csvPath} has the columns ${headBefore?.text ?? '(none)'}, the database prints ${headNow?.text ?? '(none)'}` };
  const live = new Map(rowsNow.map((r) => [r.key, r.text]));
  const known = new Set(rowsBefore.map((r) => r.key));
  const gone = rowsBefore.filter((r) => !live.has(r.key)).map((r) => r.key);
  const changed = rowsBefore.filter((r) => live.has(r.key) && live.get(r.key) !== r.text).map((r) => `${r.text} → ${live.get(r.key)}`);
  const added = rowsNow.filter((r) => !known.has(r.key)).map((r) => r.key);
  const first = (xs: string[]) => `${xs.slice(0, 5).join(' | ')}${xs.length > 5 ? ` (+${xs.length - 5} more)` : ''}`;
  if (gone.length > 0 || changed.length > 0) {
    const what = [gone.length > 0 ? `missing ${first(gone)}` : null, changed.length > 0 ? `changed ${first(changed)}` : null].filter(Boolean).join('; ');
    return { id: 'models-csv', title, result: 'fail', detail: `differs from ${csvPath} in models that existed before the migration: ${what}${added.length > 0 ? `; added since: ${first(added)}` : ''}` };
  }
  const same = `${rowsBefore.length} models identical to ${csvPath}`;
  return added.length > 0
    ? { id: 'models-csv', title, result: 'warn', detail: `${same}; ${added.length} model(s) added since the backup (not in it, kept): ${first(added)}` }
    : { id: 'models-csv', title, result: 'pass', detail: same };
}

/** Tier columns and indexes gone from the catalog (`\d models` shows no tier fields). */
export async function schemaWithoutTier(database: DatabaseTarget): Promise<RollbackCheck> {
  const title = 'tier columns and indexes gone';
  const r = await withMigrationSession(database, 'rollback', async (client, schema) => ok(await checkTierSchema(client, schema, 'absent')), { plain: true });
  if (!r.ok) return { id: 'schema', title, result: 'fail', detail: r.failure.message };
  return r.value.ok ? { id: 'schema', title, result: 'pass', detail: 'models has no tier column or index' } : { id: 'schema', title, result: 'fail', detail: `still there: ${r.value.wrong.join(', ')}` };
}
