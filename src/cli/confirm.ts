import { ExitCode } from '../shared/exit-codes.js';
import { TierctlError, failure } from '../shared/failure.js';
import type { CliContext } from './context.js';
import { importModule } from './import-module.js';

export interface ConfirmRequest {
  /** `--yes` was given: proceed without asking. */
  readonly yes: boolean;
  /** What is about to happen, e.g. "Roll back 20251108000000_add_model_tier_access_control on db:5432/app". */
  readonly action: string;
  /** Lines that show what will change, printed before the question. */
  readonly details?: readonly string[];
}

/**
 * Asks before a destructive step. `--yes` skips the question; with no terminal and no
 * `--yes` it refuses (exit 4) rather than wait for an answer that cannot come.
 */
export async function confirmOrRefuse(ctx: CliContext, request: ConfirmRequest): Promise<void> {
  if (request.yes) return;
  if (!ctx.interactive) {
    throw new TierctlError(
      failure('confirmation_required', `Refusing to ${request.action} without confirmation: no terminal to ask on.`, ExitCode.refused, {
        hint: 'Re-run with --yes once you have checked what it will do.',
      }),
    );
  }
  for (const line of request.details ?? []) ctx.stderr.write(`  ${line}\n`);
  const { confirm } = (await importModule('@inquirer/prompts')) as typeof import('@inquirer/prompts');
  const answer = await confirm({ message: `${request.action[0]!.toUpperCase()}${request.action.slice(1)}?`, default: false }, { output: ctx.stderr, signal: ctx.signal });
  if (!answer) {
    throw new TierctlError(failure('not_confirmed', `Not confirmed: did not ${request.action}.`, ExitCode.refused));
  }
}
