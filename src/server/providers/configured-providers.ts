/**
 * The providers `serve` runs with: `mock` always, and `openai-compatible` when a base URL is
 * configured (without one, those models answer 502 `provider_not_configured`).
 */
import { createMockProvider } from './mock.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import { createProviderRegistry, type Provider, type ProviderRegistry } from './provider.js';

export interface ProviderOptions {
  readonly openaiCompatibleBaseUrl?: string | undefined;
  readonly openaiCompatibleApiKey?: string | undefined;
  readonly openaiCompatibleTimeoutMs?: number;
}

export function configuredProviders(settings: ProviderOptions): ProviderRegistry {
  const providers: Provider[] = [createMockProvider()];
  if (settings.openaiCompatibleBaseUrl) {
    providers.push(
      createOpenAiCompatibleProvider({
        baseUrl: settings.openaiCompatibleBaseUrl,
        ...(settings.openaiCompatibleApiKey ? { apiKey: settings.openaiCompatibleApiKey } : {}),
        ...(settings.openaiCompatibleTimeoutMs ? { timeoutMs: settings.openaiCompatibleTimeoutMs } : {}),
      }),
    );
  }
  return createProviderRegistry(providers);
}
