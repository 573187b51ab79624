import type pg from 'pg';
import { withClient } from '../db/pg-connect.js';
import type { DatabaseTarget } from '../shared/database-target.js';
import { qualified } from '../db/sql.js';
import { tierSchemaState } from '../db/tier-columns.js';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { missingApiTables, missingApiTablesFailure } from '../db/missing-api-tables.js';
import {
  decideAccess,
  denialBody,
  effectiveTierOf,
  entitlement,
  lintPolicy,
  type AccessDecision,
  type DenialBody,
  type EntitlementBasis,
  type ModelPolicy,
  type PolicyFinding,
} from '../tier/index.js';

/**
 * `tierctl access explain`: for support, why a user may or may not use a model. Reads the
 * user's subscriptions and the model's policy straight from the database and runs them
 * through the same policy library the server uses.
 */
export interface AccessExplainOptions {
  readonly database: DatabaseTarget;
  readonly email: string;
  readonly modelId: string;
}

export interface SubscriptionView {
  readonly tier: string;
  readonly status: string;
  readonly currentPeriodEnd: string;
  /** The tier it gives now, and why (`entitled`, `status_not_entitled`, `period_ended`, ...). */
  readonly gives: string;
  readonly basis: EntitlementBasis;
}

export type ExplainOutcome =
  /** The API would serve the request (status 200). */
  | { readonly kind: 'allowed'; readonly status: 200; readonly why: string }
  /** The API would deny it with the guide's 403 body. */
  | { readonly kind: 'denied'; readonly status: 403; readonly decision: Extract<AccessDecision, { allowed: false }>; readonly body: DenialBody }
  /** No such model (ids match exactly): 404 model_not_found. */
  | { readonly kind: 'model_not_found'; readonly status: 404; readonly why: string }
  /** The model exists but is switched off. */
  | { readonly kind: 'model_unavailable'; readonly status: 404; readonly why: string };

export interface AccessExplanation {
  readonly user: { readonly id: string; readonly email: string };
  readonly subscriptions: readonly SubscriptionView[];
  readonly effectiveTier: string;
  /** The tier schema in the database: without it the server enforces nothing. */
  readonly tierSchema: 'present' | 'absent' | 'partial';
  readonly model: { readonly id: string; readonly name: string; readonly isAvailable: boolean; readonly policy: ModelPolicy | null } | null;
  readonly findings: readonly PolicyFinding[];
  readonly outcome: ExplainOutcome;
  readonly at: string;
}

interface ModelRow {
  id: string;
  name: string;
  is_available: boolean;
  required_tier?: string;
  tier_restriction_mode?: string;
  allowed_tiers?: string[];
}

const TIER_SELECT = `, required_tier::text, tier_restriction_mode, allowed_tiers::text[]`;

async function readModel(client: pg.ClientBase, schema: string, id: string, withTier: boolean): Promise<ModelRow | null> {
  const { rows } = await client.query<ModelRow>(`SELECT id, name, is_available${withTier ? TIER_SELECT : ''} FROM ${qualified(schema, 'models')} WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

function outcomeFor(model: AccessExplanation['model'], modelId: string, tier: string, now: Date): ExplainOutcome {
  if (!model) return { kind: 'model_not_found', status: 404, why: `No model has the id ${JSON.stringify(modelId)} (ids match exactly: no trimming, no case folding)` };
  if (!model.isAvailable) return { kind: 'model_unavailable', status: 404, why: `${model.id} exists but is_available is false` };
  if (!model.policy) return { kind: 'allowed', status: 200, why: 'The tier columns do not exist (migration not applied or rolled back): the server enforces nothing' };
  const decision = decideAccess(tier, model.policy);
  if (decision.allowed) return { kind: 'allowed', status: 200, why: `${model.policy.tierRestrictionMode} mode lets the ${tier} tier use it` };
  return { kind: 'denied', status: 403, decision, body: denialBody(decision, model.id, tier, now) };
}

export async function accessExplain(options: AccessExplainOptions, deps: { now?: () => Date } = {}): Promise<Result<AccessExplanation>> {
  const now = deps.now?.() ?? new Date();
  const { schema } = options.database;
  const read = await withClient(options.database.url, async (client) => {
    const missing = await missingApiTables(client, schema, ['users', 'subscriptions', 'models']);
    if (missing.length > 0) return { missing };
    const users = await client.query<{ id: string; email: string }>(`SELECT id::text, email FROM ${qualified(schema, 'users')} WHERE email = $1`, [options.email]);
    const user = users.rows[0];
    if (!user) return null;
    const subs = await client.query<{ tier: string; status: string; current_period_end: Date }>(
      `SELECT tier::text, status::text, current_period_end FROM ${qualified(schema, 'subscriptions')} WHERE user_id = $1 ORDER BY current_period_end DESC`,
      [user.id],
    );
    const tierSchema = (await tierSchemaState(client, schema)).state;
    return { user, subs: subs.rows, tierSchema, model: await readModel(client, schema, options.modelId, tierSchema === 'present') };
  });
  if (!read.ok) return read;
  if (read.value?.missing) return err(missingApiTablesFailure(options.database.redacted, schema, read.value.missing));
  if (!read.value) {
    return err(failure('user_not_found', `No user has the email ${JSON.stringify(options.email)}`, ExitCode.failed, { hint: 'Emails match exactly, as the API\'s login does.' }));
  }
  const { user, subs, tierSchema, model: row } = read.value;
  const subscriptions = subs.map((s) => {
    const e = entitlement({ tier: s.tier, status: s.status, currentPeriodEnd: s.current_period_end }, now);
    return { tier: s.tier, status: s.status, currentPeriodEnd: s.current_period_end.toISOString(), gives: e.tier, basis: e.basis };
  });
  const tier = effectiveTierOf(subs.map((s) => ({ tier: s.tier, status: s.status, currentPeriodEnd: s.current_period_end })), now);
  const policy: ModelPolicy | null =
    row && row.required_tier !== undefined
      ? { requiredTier: row.required_tier, tierRestrictionMode: row.tier_restriction_mode!, allowedTiers: row.allowed_tiers ?? [] }
      : null;
  const model = row ? { id: row.id, name: row.name, isAvailable: row.is_available, policy } : null;
  return ok({
    user,
    subscriptions,
    effectiveTier: tier,
    tierSchema,
    model,
    findings: policy ? lintPolicy(policy) : [],
    outcome: outcomeFor(model, options.modelId, tier, now),
    at: now.toISOString(),
  });
}
