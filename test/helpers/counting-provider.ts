/** A mock provider that counts its calls: proves denied requests never reach a provider. */
import { createMockProvider, type MockProviderOptions } from '../../src/server/providers/mock.js';
import type { Provider } from '../../src/server/providers/provider.js';

export interface CountingProvider extends Provider {
  readonly calls: { model: string; kind: string }[];
}

export function countingMockProvider(options: MockProviderOptions = {}): CountingProvider {
  const inner = createMockProvider(options);
  const calls: { model: string; kind: string }[] = [];
  return {
    name: inner.name,
    calls,
    complete(request) {
      calls.push({ model: request.model, kind: request.kind });
      return inner.complete(request);
    },
    stream(request) {
      calls.push({ model: request.model, kind: request.kind });
      return inner.stream(request);
    },
  };
}
