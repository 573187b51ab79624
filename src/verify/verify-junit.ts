import { junitXml } from '../shared/junit-xml.js';
import type { Failure } from '../shared/failure.js';
import type { Evidence } from './check-result.js';
import { CHECKS } from './checks.js';
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

/**
 * JUnit XML for a run that never got past the health check (exit 3): the eight testcases,
 * each failed with what /health showed, so a CI report says why the gate closed.
 */
export function unreachableJunit(apiUrl: string, startedAt: string, f: Failure): string {
  return junitXml([
    {
      name: `tierctl verify ${apiUrl}`,
      timestamp: startedAt,
      cases: CHECKS.map((c) => ({
        name: `Test ${c.id}: ${c.title}`,
        classname: 'tierctl.verify',
        timeMs: 0,
        failure: { message: `not run: ${f.message.split('\n')[0]}`, details: [f.message, f.hint].filter(Boolean).join('\n') },
      })),
    },
  ]);
}
