import { apiEndpoint } from '../../shared/api-endpoint.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { parsePrometheusText, type PromSample } from '../../shared/prometheus-text.js';
import { isExchange, probe, trimmed } from '../../verify/http-probe.js';

/**
 * Reads and parses `GET {apiUrl}/metrics`. Unreachable: exit 3. An answer that is not
 * Prometheus text (a 404, an HTML page) is `metrics_unavailable`: the API is there but
 * does not serve its metrics, so what they measure is not measured (monitor exit 5).
 */
export async function scrapeMetrics(apiUrl: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Result<PromSample[]>> {
  const url = apiEndpoint(apiUrl, '/metrics').href;
  const x = await probe(apiUrl, 'GET', '/metrics', options);
  if (!isExchange(x)) return err(failure('api_unreachable', `Cannot read ${url}: ${x.error}`, ExitCode.unreachable, { hint: 'Check --api-url / API_URL and that the server is running.' }));
  if (x.status !== 200) return err(failure('metrics_unavailable', `${url} answered ${x.status} (${x.headers['content-type'] ?? 'no content type'}): ${trimmed(x.text).slice(0, 200)}`, ExitCode.notMeasured));
  const samples = parsePrometheusText(x.text);
  if (samples.length === 0) return err(failure('metrics_unavailable', `${url} did not answer Prometheus text (${x.headers['content-type'] ?? 'no content type'})`, ExitCode.notMeasured));
  return ok(samples);
}
