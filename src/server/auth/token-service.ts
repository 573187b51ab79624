/**
 * Access tokens: JWT HS256 signed with jose. Verification pins the algorithm and checks
 * signature, `exp`, `iss` and `aud`. The token carries who the caller is (`sub`), never
 * their tier: that is read from the database on each request (cached).
 *
 * A token that verified is remembered (by its exact text, until its `exp`), so repeat
 * requests skip the HMAC: verification was 40% of a denial's CPU time. Any change to the
 * text is a different key and is verified in full; failures are never remembered. A user's
 * remembered tokens are forgotten when the server learns the user changed (subscription
 * changed, user deleted; `forget`, wired to the cache invalidation's user changes): their
 * next request verifies in full and reads the user afresh.
 */
import { SignJWT, jwtVerify } from 'jose';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER, type JwtOptions } from '../app-options.js';

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

export interface TokenService {
  issue(userId: string): Promise<IssuedToken>;
  /** The user id of a valid token; `null` for anything else (bad signature, alg, claims, expiry). */
  verify(token: string): Promise<string | null>;
  /** The user id of a token remembered as verified and not expired, without waiting; undefined: ask `verify`. */
  known(token: string): string | undefined;
  /** Forgets the remembered tokens of `userId`, or of everyone. */
  forget(userId?: string): void;
  /** How many verified tokens are remembered now. */
  remembered(): number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createTokenService(settings: JwtOptions, now: () => Date = () => new Date(), maxRemembered = 10_000): TokenService {
  const verified = new Map<string, { readonly userId: string; readonly expiresAtMs: number }>();
  const key = new TextEncoder().encode(settings.secret);
  const issuer = settings.issuer ?? DEFAULT_JWT_ISSUER;
  const audience = settings.audience ?? DEFAULT_JWT_AUDIENCE;
  const ttl = settings.ttlSeconds ?? 3600;
  return {
    async issue(userId) {
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(key);
      return { token, expiresIn: ttl };
    },
    known(token) {
      const known = verified.get(token);
      return known && known.expiresAtMs > now().getTime() ? known.userId : undefined;
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAtMs > now().getTime()) return known.userId;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer,
          audience,
          requiredClaims: ['exp', 'sub'],
          currentDate: now(),
        });
        if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return null;
        if (verified.size >= maxRemembered) verified.delete(verified.keys().next().value as string);
        verified.set(token, { userId: payload.sub, expiresAtMs: payload.exp! * 1000 });
        return payload.sub;
      } catch {
        return null;
      }
    },
    forget(userId) {
      if (userId === undefined) return verified.clear();
      for (const [token, known] of verified) if (known.userId === userId) verified.delete(token);
    },
    remembered: () => verified.size,
  };
}
