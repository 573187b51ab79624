import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withClient } from '../../db/pg-connect.js';
import { quoteIdent } from '../../db/sql.js';
import { loadTierAssignments } from '../../fixtures/load-fixtures.js';
import { ok, type Result } from '../../shared/failure.js';
import { missingModelsFinding, subscriberFindings, unavailableModelsFinding } from './copy-findings.js';
import type { Finding } from './findings.js';
import { subscriberImpact, type SubscriberImpact } from './subscriber-impact.js';

/**
 * What the deployment's data changes on this copy, read before anything is deployed:
 * assignments naming models the copy lacks (the real seed would stop; the rehearsal goes
 * on with the others, from a fixtures directory of its own), and who loses or keeps access.
 */
export interface CopyAnalysis {
  /** The fixtures the drill uses: the operator's, or a copy without the missing models' assignments. */
  readonly fixturesDir: string;
  readonly missingModels: readonly string[];
  readonly impact: SubscriberImpact;
  readonly findings: readonly Finding[];
}

async function withoutModels(fixturesDir: string, workDir: string, assignments: Record<string, unknown>, missing: readonly string[]): Promise<string> {
  const dir = join(workDir, 'fixtures');
  await mkdir(dir, { recursive: true });
  for (const f of (await readdir(fixturesDir)).filter((f) => f.endsWith('.json') && f !== 'tier-assignments.json')) await copyFile(join(fixturesDir, f), join(dir, f));
  const kept = Object.fromEntries(Object.entries(assignments).filter(([id]) => !missing.includes(id)));
  await writeFile(join(dir, 'tier-assignments.json'), `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return dir;
}

export async function analyseCopy(url: string, o: { readonly schema: string; readonly fixturesDir: string; readonly workDir: string; readonly tierColumns: boolean; readonly now: Date }): Promise<Result<CopyAnalysis>> {
  const assignments = await loadTierAssignments(o.fixturesDir);
  if (!assignments.ok) return assignments;
  const read = await withClient(url, async (client) => {
    const ids = Object.keys(assignments.value);
    const { rows } = await client.query<{ id: string; available: boolean }>(`SELECT id, is_available AS available FROM ${quoteIdent(o.schema)}.models WHERE id = ANY($1::text[])`, [ids]);
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    const unavailable = rows.filter((r) => !r.available).map((r) => r.id).sort();
    const kept = Object.fromEntries(Object.entries(assignments.value).filter(([id]) => !missing.includes(id)));
    return { missing, unavailable, impact: await subscriberImpact(client, { schema: o.schema, tierColumns: o.tierColumns, assignments: kept, now: o.now }) };
  }, { applicationName: 'tierctl rehearse' });
  if (!read.ok) return read;
  const { missing, unavailable, impact } = read.value;
  const findings: Finding[] = [];
  if (missing.length > 0) findings.push(missingModelsFinding(missing, Object.keys(assignments.value).length - missing.length));
  if (unavailable.length > 0) findings.push(unavailableModelsFinding(unavailable));
  findings.push(...subscriberFindings(impact));
  const fixturesDir = missing.length > 0 ? await withoutModels(o.fixturesDir, o.workDir, assignments.value, missing) : o.fixturesDir;
  return ok({ fixturesDir, missingModels: missing, impact, findings });
}
