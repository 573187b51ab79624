import { seedGuideLines } from '../../runbook/guide-output.js';
import { seedTiers, type SeedReport } from '../../runbook/seed-tiers.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { unwrap } from '../../shared/failure.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import type { SeedFlags } from './seed.js';

const policy = (p: { requiredTier: string; tierRestrictionMode: string; allowedTiers: readonly string[] }) =>
  `${p.requiredTier} | ${p.tierRestrictionMode} | {${p.allowedTiers.join(',')}}`;

export function seedTable(report: SeedReport): string {
  return renderTable(
    ['model', 'before (required | mode | allowed)', 'after', ''],
    report.changes.map((ch) => [ch.id, policy(ch.before), policy(ch.after), ch.changed ? (report.dryRun ? 'would change' : 'changed') : 'unchanged']),
  );
}

export async function seedAction(ctx: CliContext, opts: SeedFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const fixturesDir = resolveFixturesDir(ctx, opts);
  const confirm = async (plan: SeedReport) => {
    ctx.stderr.write(seedTable(plan));
    if (plan.inserted.length > 0) ctx.stderr.write(`Sandbox models to insert: ${plan.inserted.join(', ')}\n`);
    await confirmOrRefuse(ctx, { yes: Boolean(opts.yes), action: `overwrite the tier assignments of ${plan.touched} model(s)` });
    return true;
  };
  const report = unwrap(
    await seedTiers(
      { database, fixturesDir, catalog: Boolean(opts.catalog), dryRun: Boolean(opts.dryRun) },
      { reporter: await cliReporter(ctx), ...(opts.dryRun || opts.yes ? {} : { confirm }) },
    ),
  );
  // A real run prints the guide's step 6 lines around the table; with --json they go to stderr, so stdout stays one JSON document.
  const [starting, created, completed] = seedGuideLines(report.touched, report.changes.length - report.touched);
  if (opts.json) {
    if (!report.dryRun) ctx.stderr.write(`${starting}\n${created}\n${completed}\n`);
    writeJson(ctx.stdout, { ok: true, ...report });
    return ExitCode.ok;
  }
  const c = colors(ctx.stdout, ctx.env);
  if (!report.dryRun) ctx.stdout.write(`${starting}\n`);
  if (report.inserted.length > 0) ctx.stdout.write(`${report.dryRun ? 'Would insert' : 'Inserted'} sandbox models: ${report.inserted.join(', ')}\n`);
  ctx.stdout.write(seedTable(report));
  if (report.dryRun) ctx.stdout.write(`${c.yellow('Dry run')}: would create/update ${report.touched} models; nothing was changed.\n`);
  else ctx.stdout.write(`${created}\n${completed}\n`);
  return ExitCode.ok;
}
