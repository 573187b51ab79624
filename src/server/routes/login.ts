/**
 * POST /v1/auth/login: email + password -> access token. Unknown email and wrong password
 * get the same 401 after the same bcrypt work (a dummy hash stands in for a missing user);
 * repeated failures for one email from one IP get 429 with Retry-After. The attempt is
 * reserved and a hashing slot taken before the first await: concurrent guesses cannot
 * slip past the limit, and a burst beyond the slots and their queue is answered 429 at once.
 */
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { findUserByEmail } from '../queries/user-credentials.js';
import { isLoginAttempt, throttleKey } from '../auth/login-throttle.js';
import { errorEnvelopeSchema, sendError } from '../errors/error-envelope.js';
import type { ServerContext } from '../server-context.js';

/** bcrypt (cost 10, like stored hashes) of a random string nobody knows. */
export const DUMMY_HASH = '$2b$10$klEBAIKDD.q9OXPcNA.FP.qpIMxbjn5TBDpojDiQc535H8ypVnyEq';

interface LoginBody {
  email: string;
  password: string;
}

const schema = {
  body: {
    type: 'object',
    required: ['email', 'password'],
    properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
  },
  response: {
    200: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'user'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string' },
        expires_in: { type: 'integer' },
        user: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' }, tier: { type: 'string' } } },
      },
    },
    '4xx': errorEnvelopeSchema,
  },
} as const;

export function registerLogin(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: LoginBody }>('/v1/auth/login', { schema }, async (request, reply) => {
    const { email, password } = request.body;
    const attempt = ctx.loginThrottle.reserve(throttleKey(email, request.ip));
    if (!isLoginAttempt(attempt)) {
      const wait = attempt.retryAfterSeconds;
      reply.header('Retry-After', String(wait));
      return sendError(request, reply, 429, 'too_many_login_attempts', 'Too many failed login attempts; try again later', { retry_after_seconds: wait });
    }
    const slot = ctx.hashSlots.tryAcquire();
    if (!slot) {
      attempt.cancel();
      ctx.metrics.loginsBusy.inc();
      reply.header('Retry-After', '1');
      return sendError(request, reply, 429, 'login_busy', 'Too many logins at once; try again in a second', { retry_after_seconds: 1 });
    }
    let user: Awaited<ReturnType<typeof findUserByEmail>>;
    let matches: boolean;
    try {
      const release = await slot;
      try {
        user = await findUserByEmail(ctx.pool, ctx.schema, email);
        matches = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
      } finally {
        release();
      }
    } catch (e) {
      attempt.cancel();
      throw e;
    }
    if (!user || !matches) {
      attempt.failed();
      request.log.info({ reason: 'invalid_credentials' }, 'Login failed');
      return sendError(request, reply, 401, 'invalid_credentials', 'Invalid email or password');
    }
    attempt.succeeded();
    ctx.userTiers.invalidate(user.id);
    const { entry } = await ctx.userTiers.get(user.id);
    request.tierctl.userId = user.id;
    request.tierctl.userTier = entry.tier;
    const issued = await ctx.tokens.issue(user.id);
    request.log.info({ userId: user.id, tier: entry.tier }, 'Login succeeded');
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, user: { id: user.id, email: user.email, tier: entry.tier ?? 'free' } };
  });
}
