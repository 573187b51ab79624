import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import { parsePrometheusText, type PromSample } from '../shared/prometheus-text.js';
import { isExchange, probe, trimmed } from '../verify/http-probe.js';

/** Reads and parses `GET {apiUrl}/metrics`. Unreachable: exit 3; not Prometheus text: exit 1. */
export async function scrapeMetrics(apiUrl: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Result<PromSample[]>> {
  const url = new URL('/metrics', apiUrl).toString();
  const x = await probe(apiUrl, 'GET', '/metrics', options);
  if (!isExchange(x)) return err(failure('api_unreachable', `Cannot read ${url}: ${x.error}`, ExitCode.unreachable, { hint: 'Check --api-url / API_URL and that the server is running.' }));
  if (x.status !== 200) return err(failure('metrics_unavailable', `${url} answered ${x.status}: ${trimmed(x.text).slice(0, 200)}`, ExitCode.failed));
  const samples = parsePrometheusText(x.text);
  if (samples.length === 0) return err(failure('metrics_unavailable', `${url} did not answer Prometheus text (${x.headers['content-type'] ?? 'no content type'})`, ExitCode.failed));
  return ok(samples);
}
