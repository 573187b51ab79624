import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { err, ok, usageFailure, type Failure, type Result } from '../../shared/failure.js';
import { loadVerifyFixtures } from '../../verify/run-verify.js';
import { loadMigrationSet } from '../migrate/migration-state.js';
import { loadSeedAssignments } from '../seed-tiers.js';
import type { DeployOptions } from './deploy-types.js';

async function writableDir(dir: string, what: string): Promise<Failure | null> {
  try {
    if (!(await stat(dir)).isDirectory()) return usageFailure('evidence_dir_invalid', `${what} ${dir} is not a directory`);
    await access(dir, constants.W_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return usageFailure('evidence_dir_invalid', code === 'ENOENT' ? `${what} ${dir} does not exist` : `${what} ${dir} is not writable (${code})`);
  }
}

/**
 * What a deployment reads later, checked before its journal is written and before anything
 * changes (safety rule 2): the migrations directory, the fixtures the seed and the checks
 * read (a seed that would refuse its assignments fails now, not after the migration), and
 * the evidence directory. Every problem at once, exit 2; a run refused here leaves no
 * journal, so nothing blocks the corrected run.
 */
export async function validateDeploy(o: DeployOptions): Promise<Result<void>> {
  const [migrations, fixtures, seed, evidence] = await Promise.all([
    loadMigrationSet(o.migrationsDir),
    loadVerifyFixtures(o.fixturesDir),
    o.seed ? loadSeedAssignments(o.fixturesDir) : Promise.resolve(ok(null)),
    writableDir(o.evidenceDir, 'Evidence directory (--evidence-dir, default --backup-dir)'),
  ]);
  const failures = [migrations, fixtures, seed].flatMap((r) => (r.ok ? [] : [r.failure]));
  if (evidence) failures.push(evidence);
  // The seed and the checks read the same tier-assignments.json: one problem is said once.
  const problems = [...new Set(failures.flatMap((f) => f.problems ?? [f.message]))];
  if (problems.length === 0) return ok(undefined);
  return err(usageFailure('deploy_invalid', `The deployment cannot start; nothing was changed and no journal was written:\n  ${problems.join('\n  ')}`, { problems }));
}
