import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/server/auth/token-service.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';

const USER = 'aaaaaaaa-bbbb-cccc-dddd-000000000002';

describe('token service', () => {
  it('stops accepting a remembered token at its exp', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createTokenService({ secret: TEST_JWT_SECRET, ttlSeconds: 60 }, () => new Date(t));
    const { token } = await tokens.issue(USER);
    expect(await tokens.verify(token)).toBe(USER);
    t += 59_000;
    expect(await tokens.verify(token)).toBe(USER);
    t += 1_000;
    expect(await tokens.verify(token)).toBeNull();
  });

  it('does not let a remembered token vouch for an edited one', async () => {
    const tokens = createTokenService({ secret: TEST_JWT_SECRET });
    const { token } = await tokens.issue(USER);
    expect(await tokens.verify(token)).toBe(USER);
    const [h, p, s] = token.split('.');
    const edited = `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await tokens.verify(edited)).toBeNull();
    const otherUser = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'aaaaaaaa-bbbb-cccc-dddd-000000000003' })).toString('base64url');
    expect(await tokens.verify(`${h}.${otherUser}.${s}`)).toBeNull();
  });

  it('does not accept tokens of another secret, issuer or audience', async () => {
    const mine = createTokenService({ secret: TEST_JWT_SECRET });
    const { token } = await mine.issue(USER);
    expect(await createTokenService({ secret: `${TEST_JWT_SECRET}x` }).verify(token)).toBeNull();
    expect(await createTokenService({ secret: TEST_JWT_SECRET, issuer: 'other' }).verify(token)).toBeNull();
    expect(await createTokenService({ secret: TEST_JWT_SECRET, audience: 'other' }).verify(token)).toBeNull();
  });

  it("forgets a user's remembered tokens on request, or everyone's", async () => {
    const tokens = createTokenService({ secret: TEST_JWT_SECRET });
    const other = 'aaaaaaaa-bbbb-cccc-dddd-000000000003';
    const mine = [await tokens.issue(USER), await tokens.issue(other)];
    for (const { token } of mine) await tokens.verify(token);
    expect(tokens.remembered()).toBe(2);
    tokens.forget(USER);
    expect(tokens.remembered()).toBe(1);
    expect(await tokens.verify(mine[0]!.token)).toBe(USER); // verified in full again
    tokens.forget();
    expect(tokens.remembered()).toBe(0);
  });
});
