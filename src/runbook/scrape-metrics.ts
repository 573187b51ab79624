import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { parsePrometheusText, type PromSample } from '../shared/prometheus-text.js';

/** Reads and parses `GET {apiUrl}/metrics`. Unreachable: exit 3; not Prometheus text: exit 1. */
export async function scrapeMetrics(apiUrl: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Result<PromSample[]>> {
  const url = new URL('/metrics', apiUrl).toString();
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.any(signals) });
  } catch (e) {
    const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    return err(failure('api_unreachable', `Cannot read ${url}: ${why}`, ExitCode.unreachable, { hint: 'Check --api-url / API_URL and that the server is running.' }));
  }
  const text = await res.text();
  if (!res.ok) return err(failure('metrics_unavailable', `${url} answered ${res.status}: ${text.slice(0, 200)}`, ExitCode.failed));
  const samples = parsePrometheusText(text);
  if (samples.length === 0) return err(failure('metrics_unavailable', `${url} did not answer Prometheus text (${res.headers.get('content-type') ?? 'no content type'})`, ExitCode.failed));
  return ok(samples);
}
