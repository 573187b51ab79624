import { junitXml } from '../shared/junit-xml.js';
import type { Evidence } from './check-result.js';
import type { VerifyReport } from './run-verify.js';

export function evidenceText(e: Evidence): string {
  const lines = [
    e.request && `request:  ${e.request}`,
    e.status !== undefined && `status:   ${e.status}`,
    e.headers && Object.keys(e.headers).length > 0 && `headers:  ${Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}`,
    `expected: ${e.expected}`,
    `actual:   ${e.actual}`,
    e.body !== undefined && `body:     ${e.body}`,
  ];
  return lines.filter(Boolean).join('\n');
}

/** JUnit XML for CI: one testcase per check, failures with their evidence, skipped with the reason. */
export function verifyJunit(r: VerifyReport): string {
  return junitXml([
    {
      name: `tierctl verify ${r.apiUrl}`,
      timestamp: r.startedAt,
      cases: r.checks.map((c) => ({
        name: `Test ${c.id}: ${c.title}`,
        classname: 'tierctl.verify',
        timeMs: c.durationMs,
        ...(c.result === 'fail' ? { failure: { message: c.message, details: c.evidence ? evidenceText(c.evidence) : c.message } } : {}),
        ...(c.result === 'skipped' ? { skipped: c.message } : {}),
      })),
    },
  ]);
}
