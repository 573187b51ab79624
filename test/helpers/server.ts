/**
 * Runs the real app on a loopback port against a test database: what the server, verify
 * and rehearsal tests talk to over HTTP.
 */
import type { AddressInfo } from 'node:net';
import { buildApp, type TierApp } from '../../src/server/app.js';
import type { AppOptions } from '../../src/server/app-options.js';
import type { TestDatabase } from './test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

/** 48 bytes: above the 32-byte minimum. Tests only. */
export const TEST_JWT_SECRET = 'test-only-jwt-secret-0123456789abcdef0123456789ab';

export interface RunningApp {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly app: TierApp;
  /** Graceful close: in-flight requests finish, api_logs are flushed, the pool ends. Idempotent. */
  close(): Promise<void>;
}

export async function startApp(db: TestDatabase, overrides: Partial<AppOptions> = {}): Promise<RunningApp> {
  const app = await buildApp({ database: plainTarget(db.url), jwt: { secret: TEST_JWT_SECRET }, ...overrides });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    close: () => (closing ??= app.close()),
  };
}
