import { insertSandboxCatalog } from '../db/sandbox-catalog.js';
import { applyTierAssignments, type AssignmentChange } from '../db/tier-assignments.js';
import { connectClient } from '../db/pg-connect.js';
import { tierSchemaState } from '../db/tier-columns.js';
import { missingApiTables, missingApiTablesFailure } from '../db/missing-api-tables.js';
import type { DatabaseTarget } from '../shared/database-target.js';
import type { TierAssignments } from '../fixtures/fixture-schemas.js';
import { loadSandboxModels, loadTierAssignments } from '../fixtures/load-fixtures.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../shared/failure.js';
import type { Reporter } from '../shared/reporter.js';
import { lintPolicy } from '../tier/lint-policy.js';

/**
 * The guide's step 6 (`npx prisma db seed`), narrowed to what this feature owns: sets the
 * tier fields, and only those, of the models listed in tier-assignments.json, in ONE
 * transaction. `dryRun` runs the same statements and rolls them back, so the before ->
 * after it shows is exactly what a real run would do. `catalog` first inserts the sandbox
 * catalog (models that already exist are left alone).
 */
export interface SeedOptions {
  readonly database: DatabaseTarget;
  readonly fixturesDir: string;
  readonly catalog?: boolean;
  readonly dryRun?: boolean;
}

export interface SeedReport {
  readonly dryRun: boolean;
  /** Sandbox models inserted (with `catalog`). */
  readonly inserted: readonly string[];
  readonly changes: readonly AssignmentChange[];
  /** Models created or whose tier fields changed: the guide's "Created/updated 3 models" (createdUpdatedLine). */
  readonly touched: number;
}

export interface SeedDeps {
  readonly reporter: Reporter;
  /** Asked with the dry-run's outcome before a real run changes anything; false refuses (exit 4). Omit to skip. */
  readonly confirm?: (plan: SeedReport) => Promise<boolean>;
}

/** The assignments the seed would set: read, validated, and refused when lintPolicy finds one incoherent (exit 2). */
export async function loadSeedAssignments(fixturesDir: string | undefined): Promise<Result<TierAssignments>> {
  const assignments = await loadTierAssignments(fixturesDir);
  if (!assignments.ok) return assignments;
  const incoherent = Object.entries(assignments.value).flatMap(([model, policy]) =>
    lintPolicy(policy)
      .filter((f) => f.level === 'error')
      .map((f) => `${model}: ${f.message}`),
  );
  if (incoherent.length > 0) {
    return err(usageFailure('policy_incoherent', `Refusing to seed incoherent tier assignments:\n  ${incoherent.join('\n  ')}`, { problems: incoherent }));
  }
  return assignments;
}

async function seedOnce(options: SeedOptions, dryRun: boolean): Promise<Result<SeedReport>> {
  const assignments = await loadSeedAssignments(options.fixturesDir);
  if (!assignments.ok) return assignments;
  const models = options.catalog ? await loadSandboxModels(options.fixturesDir) : null;
  if (models && !models.ok) return models;
  const connected = await connectClient(options.database.url);
  if (!connected.ok) return connected;
  const client = connected.value;
  try {
    const missing = await missingApiTables(client, options.database.schema, ['models']);
    if (missing.length > 0) return err(missingApiTablesFailure(options.database.redacted, options.database.schema, missing));
    const tier = await tierSchemaState(client, options.database.schema);
    if (tier.state !== 'present') {
      return err(failure('tier_schema_missing', `The tier columns are ${tier.state === 'absent' ? 'not there' : 'only partly there'}: run tierctl migrate apply first`, ExitCode.failed, {
        hint: 'tierctl preflight explains the schema state.',
      }));
    }
    await client.query('BEGIN');
    const inserted = models ? await insertSandboxCatalog(client, options.database.schema, models.value) : [];
    const outcome = await applyTierAssignments(client, options.database.schema, assignments.value);
    if ('missing' in outcome) {
      await client.query('ROLLBACK');
      return err(failure('models_missing', `Listed in tier-assignments.json but not in the models table: ${outcome.missing.join(', ')}; nothing was changed`, ExitCode.failed, {
        hint: 'Insert those models first, fix the assignments (--fixtures DIR), or add --catalog to insert the sandbox catalog.',
        problems: [...outcome.missing],
      }));
    }
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    const touched = new Set([...inserted, ...outcome.changes.filter((c) => c.changed).map((c) => c.id)]).size;
    return ok({ dryRun, inserted, changes: outcome.changes, touched });
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function seedTiers(options: SeedOptions, deps: SeedDeps): Promise<Result<SeedReport>> {
  const dryRun = options.dryRun ?? false;
  if (!dryRun && deps.confirm) {
    const plan = await seedOnce(options, true);
    if (!plan.ok) return plan;
    if (plan.value.touched === 0) {
      deps.reporter.info('Tier assignments already up to date: nothing to change.');
      return ok({ ...plan.value, dryRun: false });
    }
    if (!(await deps.confirm(plan.value))) return err(failure('not_confirmed', 'Not confirmed: tier assignments left as they were.', ExitCode.refused));
  }
  const step = deps.reporter.step(dryRun ? 'seed tier assignments (dry run, rolled back)' : 'seed tier assignments (one transaction)');
  const r = await seedOnce(options, dryRun);
  if (r.ok) step.succeed(`${r.value.touched} model(s) ${dryRun ? 'would change' : 'changed'}`);
  else step.fail(r.failure.message.split('\n')[0]);
  return r;
}
