import { describe, expect, it } from 'vitest';
import { createDenialJson } from '../../src/server/routes/denial-json.js';
import { denialBody } from '../../src/tier/denial-body.js';

const decision = { message: 'This model requires a Pro subscription or higher.', requiredTier: 'pro' };

describe('createDenialJson', () => {
  it('is exactly JSON.stringify(denialBody(...)), timestamp included, for every call', () => {
    const denialJson = createDenialJson();
    for (const [model, tier, ms] of [['claude-3.5-sonnet', 'free', 1_700_000_000_123], ['claude-3.5-sonnet', 'free', 1_700_000_001_456], ['gpt-5', 'pro', 5]] as const) {
      const now = new Date(ms);
      expect(denialJson(decision, model, tier, now)).toBe(JSON.stringify(denialBody(decision, model, tier, now)));
    }
  });

  it('keeps model ids and messages that look like the timestamp member apart from it', () => {
    const denialJson = createDenialJson();
    const tricky = ',"timestamp":"1970-01-01T00:00:00.000Z",';
    const now = new Date(1_800_000_000_000);
    const text = denialJson({ message: tricky, requiredTier: 'enterprise' }, tricky, 'free', now);
    expect(text).toBe(JSON.stringify(denialBody({ message: tricky, requiredTier: 'enterprise' }, tricky, 'free', now)));
    expect(JSON.parse(text)).toMatchObject({ details: { model_id: tricky }, timestamp: now.toISOString() });
  });

  it('answers a changed decision for the same model and tier with its own body (a policy edited meanwhile)', () => {
    const denialJson = createDenialJson();
    const now = new Date(7);
    const other = { message: 'Model access restricted: Requires Enterprise tier or higher', requiredTier: 'enterprise' };
    for (const d of [decision, other, { ...other, requiredTier: 'pro' }, decision]) {
      expect(denialJson(d, 'gpt-5', 'free', now)).toBe(JSON.stringify(denialBody(d, 'gpt-5', 'free', now)));
    }
  });

  it('stays bounded: past maxEntries it starts over and still answers right', () => {
    const denialJson = createDenialJson(2);
    const now = new Date(0);
    for (const m of ['a', 'b', 'c', 'a']) expect(JSON.parse(denialJson(decision, m, 'free', now)).details.model_id).toBe(m);
  });
});
