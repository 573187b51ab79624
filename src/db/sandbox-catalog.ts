import type pg from 'pg';
import type { SandboxModel } from '../fixtures/fixture-schemas.js';
import { qualified } from './sql.js';

/**
 * Inserts the sandbox model catalog (the old, pre-tier columns only, so it works on a
 * baseline database). Existing models are left as they are. Returns the ids inserted.
 */
export async function insertSandboxCatalog(client: pg.ClientBase, schema: string, models: readonly SandboxModel[]): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${qualified(schema, 'models')} (id, name, display_name, provider, description, capabilities, context_length, credits_per_1k_tokens, is_available)
     SELECT m.id, m.name, m.display_name, m.provider, m.description, m.capabilities, m.context_length, m.credits_per_1k_tokens, m.is_available
       FROM jsonb_to_recordset($1::jsonb) AS m(id text, name text, display_name text, provider text, description text,
            capabilities text[], context_length int, credits_per_1k_tokens int, is_available boolean)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      JSON.stringify(
        models.map((m) => ({
          id: m.id,
          name: m.name,
          display_name: m.displayName,
          provider: m.provider,
          description: m.description,
          capabilities: m.capabilities,
          context_length: m.contextLength,
          credits_per_1k_tokens: m.creditsPer1kTokens,
          is_available: m.isAvailable,
        })),
      ),
    ],
  );
  return rows.map((r) => r.id);
}
