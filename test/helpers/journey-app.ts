import { afterAll, beforeAll } from 'vitest';
import type { Journey } from './journey.js';
import { startApp, type RunningApp } from './server.js';

/** The backend on the journey's database for the whole file (schema rechecked every 100 ms, as a deploy's checks need), closed after. */
export function useJourneyApp(journey: () => Journey): () => RunningApp {
  let app: RunningApp | undefined;
  beforeAll(async () => {
    app = await startApp(journey().db, { cache: { schemaRecheckMs: 100 } });
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error('the journey app is used before beforeAll started it');
    return app;
  };
}
