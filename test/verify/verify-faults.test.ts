/**
 * More ways to break the target, each in exactly one way (the list: a field removed
 * from the 403 body, a wrong status, a Pro model opened to free users, the old fields gone
 * from the anonymous list, ...), and targets that hang, cut answers short or answer garbage.
 */
import { describe, expect, it } from 'vitest';
import { isListingOf, listsAs, models, onlyFails, results, said, useVerifySandbox } from '../helpers/verify-sandbox.js';

const { verifyThrough } = useVerifySandbox();

const isChat = (path: string) => path === '/v1/chat/completions';

describe('each check fails alone, another way', () => {
  it('2: the free user is shown as pro', async () => {
    const c = onlyFails(await verifyThrough((req, res) => void (isListingOf(req.path, res.json, 'free') && ((res.json as { user_tier: string }).user_tier = 'pro'))), 2);
    expect(c.message).toMatch(/user_tier is "pro", not "free"/);
  });

  it('2: a model outside the fixtures is listed for free with a status its own policy does not give', async () => {
    // gpt-4o-mini is in the sandbox catalog but not in tier-assignments.json: listed free/minimum, so allowed.
    const c = onlyFails(await verifyThrough(listsAs('free', 'gpt-4o-mini', 'upgrade_required')), 2);
    expect(c.message).toMatch(/gpt-4o-mini: access_status "upgrade_required", expected "allowed" \(its listed policy\)/);
  });

  it('3: a wrong status for the denial (400 instead of 403)', async () => {
    const c = onlyFails(await verifyThrough((req, res) => void (isChat(req.path) && said(req.body) === 'Hello' && res.status === 403 && (res.status = 400))), 3);
    expect(c.message).toMatch(/status 400/);
    expect(c.evidence).toMatchObject({ request: 'POST /v1/chat/completions (Bearer token)', status: 400, expected: expect.stringMatching(/^403 /) });
    expect(c.evidence?.body).toMatch(/model_access_restricted/);
  });

  it('3: the Pro model is opened to free users (200 and a completion instead of the denial)', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (isChat(req.path) && said(req.body) === 'Hello' && res.status === 403) {
          res.status = 200;
          res.json = { id: 'chatcmpl-x', object: 'chat.completion', model: 'claude-3.5-sonnet', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' } }] };
        }
      }),
      3,
    );
    expect(c.message).toMatch(/free user asking for claude-3.5-sonnet: status 200/);
  });

  it('4: a Pro model is missing from the pro listing', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (isListingOf(req.path, res.json, 'pro')) (res.json as { models: unknown[] }).models = models(res.json).filter((m) => m.id !== 'gemini-2.0-pro');
      }),
      4,
    );
    expect(c.message).toMatch(/gemini-2.0-pro is not listed/);
  });

  it('5: the pro user is denied the Pro model', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (isChat(req.path) && res.status === 200) {
          res.status = 403;
          res.json = { status: 'error', code: 'model_access_restricted', message: 'Model access restricted: Requires Pro tier or higher' };
        }
      }),
      5,
    );
    expect(c.message).toMatch(/status 403/);
    expect(c.evidence).toMatchObject({ status: 403, body: expect.stringMatching(/Requires Pro tier/) });
  });

  it('6: the enterprise listing is missing the tier fields of a model outside the fixtures', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (isListingOf(req.path, res.json, 'enterprise')) delete models(res.json).find((m) => m.id === 'gpt-4o-mini')!.tier_restriction_mode;
      }),
      6,
    );
    expect(c.message).toMatch(/gpt-4o-mini is listed without its tier fields/);
  });

  it('7: the 403 body lost its timestamp', async () => {
    const c = onlyFails(await verifyThrough((req, res) => void (isChat(req.path) && said(req.body) === 'Test' && delete (res.json as { timestamp?: string }).timestamp)), 7);
    expect(c.message).toMatch(/timestamp is missing/);
    expect(c.evidence?.body).not.toMatch(/timestamp/);
  });

  it('7: details lost a member and the timestamp is not ISO 8601', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (!isChat(req.path) || said(req.body) !== 'Test') return;
        const body = res.json as { details: Record<string, unknown>; timestamp: unknown };
        delete body.details.upgrade_url;
        body.timestamp = 'Tue, 25 Nov 2026 08:00:00 GMT';
      }),
      7,
    );
    expect(c.message).toMatch(/details.upgrade_url is missing/);
    expect(c.message).toMatch(/timestamp "Tue, 25 Nov 2026 08:00:00 GMT" is not ISO 8601/);
  });

  it('7: the denial names the wrong model (the guide uses an Enterprise model here: gpt-5)', async () => {
    const c = onlyFails(await verifyThrough((req, res) => void (isChat(req.path) && said(req.body) === 'Test' && ((res.json as { details: { model_id: string } }).details.model_id = 'claude-3.5-sonnet'))), 7);
    expect(c.message).toMatch(/details.model_id "claude-3.5-sonnet", not "gpt-5"/);
  });

  it('8: anonymous callers are refused (401) where old clients used to list models', async () => {
    const c = onlyFails(
      await verifyThrough((req, res) => {
        if (req.path === '/v1/models' && !req.authorized) {
          res.status = 401;
          res.json = { status: 'error', code: 'unauthorized', message: 'Missing bearer token' };
        }
      }),
      8,
    );
    expect(c.message).toMatch(/GET \/v1\/models answered 401/);
    expect(c.evidence).toMatchObject({ request: 'GET /v1/models', status: 401 });
  });

  it('8: the anonymous listing lacks the new tier fields', async () => {
    const c = onlyFails(await verifyThrough((req, res) => void (isListingOf(req.path, res.json, null) && models(res.json).forEach((m) => delete m.allowed_tiers))), 8);
    expect(c.message).toMatch(/gpt-5 lacks allowed_tiers/);
  });
});

describe('targets that hang, cut answers short, or answer garbage: failed checks, never a crash', () => {
  it('completions that never answer fail 3, 5 and 7 after --timeout, the rest pass', async () => {
    const r = await verifyThrough((req) => (isChat(req.path) ? 'hang' : undefined), { timeoutMs: 2000 });
    expect(results(r)).toEqual({ 1: 'pass', 2: 'pass', 3: 'fail', 4: 'pass', 5: 'fail', 6: 'pass', 7: 'fail', 8: 'pass' });
    for (const id of [3, 5, 7]) expect(r.checks[id - 1]!.evidence).toMatchObject({ request: 'POST /v1/chat/completions (Bearer token)', actual: 'no answer: timed out' });
  });

  it('a listing cut off mid-body fails the listing checks with "no answer"', async () => {
    const r = await verifyThrough((req) => (req.path === '/v1/models' ? 'cut' : undefined));
    expect(results(r)).toEqual({ 1: 'pass', 2: 'fail', 3: 'pass', 4: 'fail', 5: 'pass', 6: 'fail', 7: 'pass', 8: 'fail' });
    expect(r.checks[1]!.evidence?.actual).toMatch(/^no answer: (connection closed before a complete answer|terminated|other side closed)/);
  });

  it('JSON of the wrong shapes everywhere but /health', async () => {
    const shapes: unknown[] = [null, 42, 'models', [1, 2], { models: 'all', user_tier: 7 }, { models: [null, 1, { id: {} }], access_token: 5 }];
    let n = 0;
    const r = await verifyThrough((req, res) => {
      if (req.path === '/health') return;
      // Logins get a token so the checks behind them see the garbage too.
      res.json = req.path === '/v1/auth/login' ? { access_token: (res.json as { access_token: string }).access_token } : shapes[n++ % shapes.length];
    });
    expect(results(r)).toEqual({ 1: 'pass', 2: 'fail', 3: 'fail', 4: 'fail', 5: 'fail', 6: 'fail', 7: 'fail', 8: 'fail' });
    for (const c of r.checks.slice(1)) expect(c.message).not.toMatch(/could not check/);
  });
});
