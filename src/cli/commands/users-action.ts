import { createTestUsers } from '../../runbook/test-users/create-test-users.js';
import { removeGuideTestUsers } from '../../runbook/test-users/remove-test-users.js';
import { GUIDE_TEST_PASSWORD } from '../../fixtures/load-fixtures.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { TierctlError, unwrap, usageFailure } from '../../shared/failure.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CliContext } from '../context.js';
import { resolveDatabaseTarget } from '../database-url.js';
import { resolveFixturesDir } from '../fixtures-option.js';
import { colors, writeJson } from '../output.js';
import { cliReporter } from '../reporter.js';
import { renderTable } from '../table.js';
import type { UsersCreateFlags } from './users.js';

/** The password and where it came from (the source is shown, the value never). */
export function testPassword(ctx: CliContext, passwordEnv: string | undefined): { password: string; source: string } {
  if (passwordEnv !== undefined) {
    const value = ctx.env[passwordEnv];
    if (!value) throw new TierctlError(usageFailure('password_env_unset', `--password-env ${passwordEnv}: that environment variable is not set (or empty)`));
    return { password: value, source: `$${passwordEnv}` };
  }
  const fromSettings = ctx.env.TIERCTL_TEST_PASSWORD || ctx.dotenv.TIERCTL_TEST_PASSWORD;
  if (fromSettings) return { password: fromSettings, source: '$TIERCTL_TEST_PASSWORD' };
  return { password: GUIDE_TEST_PASSWORD, source: "the guide's default" };
}

export async function usersCreateAction(ctx: CliContext, opts: UsersCreateFlags): Promise<number> {
  const database = await resolveDatabaseTarget(ctx, opts);
  const fixturesDir = resolveFixturesDir(ctx, opts);
  const reporter = await cliReporter(ctx);
  const c = colors(ctx.stdout, ctx.env);
  if (opts.remove) {
    const confirm = async (emails: readonly string[]) => {
      await confirmOrRefuse(ctx, { yes: Boolean(opts.yes), action: `delete the test users ${emails.join(', ')} and their subscriptions`, details: [...emails] });
      return true;
    };
    const removed = unwrap(await removeGuideTestUsers({ database, fixturesDir }, { reporter, confirm }));
    if (opts.json) writeJson(ctx.stdout, { ok: true, ...removed });
    else {
      ctx.stdout.write(`Removed ${removed.removed.length} test user(s)${removed.removed.length ? `: ${removed.removed.join(', ')}` : ''}\n`);
      if (removed.absent.length) ctx.stdout.write(`${c.dim('not present')} ${removed.absent.join(', ')}\n`);
    }
    return ExitCode.ok;
  }
  const { password, source } = testPassword(ctx, opts.passwordEnv);
  const report = unwrap(await createTestUsers({ database, fixturesDir, password }, { reporter }));
  if (opts.json) {
    writeJson(ctx.stdout, { ok: true, passwordSource: source, ...report });
    return ExitCode.ok;
  }
  ctx.stdout.write(renderTable(['email', 'tier', 'outcome'], report.users.map((u) => [u.email, u.tier, u.fixed ? `${u.outcome} (${u.fixed.join(', ')})` : u.outcome])));
  ctx.stdout.write(
    report.changed === 0
      ? `All ${report.users.length} test users already exist and are up to date: unchanged.\n`
      : `${report.changed} test user(s) created or updated (password: ${source}).\n`,
  );
  return ExitCode.ok;
}
