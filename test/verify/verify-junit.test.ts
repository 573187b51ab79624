import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/verify/check-result.js';
import type { VerifyReport } from '../../src/verify/run-verify.js';
import { CHECKS } from '../../src/verify/checks.js';
import { evidenceText, verifyJunit } from '../../src/verify/verify-junit.js';

// What a hostile or broken target can put in a body: markup, entities, a CDATA end, quotes, control characters.
const NASTY = `<html a="1" b='2'>&amp; & ]]> <![CDATA[x]]> \u0001\u0007\u001b[31m tab\there ü ☃ 😀</html>`;

function report(checks: CheckResult[]): VerifyReport {
  const count = (r: string) => checks.filter((c) => c.result === r).length;
  return {
    apiUrl: 'http://127.0.0.1:1/?a=1&b=<2>',
    database: null,
    startedAt: '2026-11-25T08:00:00.000Z',
    durationMs: 42,
    health: { attempts: 1, waitedMs: 3, body: { status: 'healthy' } },
    checks,
    passed: count('fail') === 0,
    counts: { pass: count('pass'), fail: count('fail'), skipped: count('skipped') },
  };
}

describe('verify JUnit XML', () => {
  it('one testcase per check; failures carry their evidence, escaped so any XML parser reads it back', () => {
    const evidence = { request: 'GET /v1/models', status: 200, headers: { 'content-type': 'text/html; charset="x"' }, body: NASTY, expected: 'a <models> list & "quotes"', actual: NASTY };
    const checks: CheckResult[] = CHECKS.map((c) =>
      c.id === 8
        ? { id: 8, title: c.title, result: 'fail', durationMs: 1234, message: `GET /v1/models answered ${NASTY}`, evidence }
        : c.id === 1
          ? { id: 1, title: c.title, result: 'skipped', durationMs: 0, message: 'needs --database-url <url> & a "database"' }
          : { id: c.id, title: c.title, result: 'pass', durationMs: 5, message: 'ok' },
    );
    const xml = verifyJunit(report(checks));
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, processEntities: true, htmlEntities: false, trimValues: false }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite).toMatchObject({ '@_tests': '8', '@_failures': '1', '@_skipped': '1', '@_name': 'tierctl verify http://127.0.0.1:1/?a=1&b=<2>' });
    expect(suite.testcase.map((t: Record<string, string>) => t['@_name'])).toEqual(CHECKS.map((c) => `Test ${c.id}: ${c.title}`));
    const eight = suite.testcase[7];
    expect(eight['@_time']).toBe('1.234');
    // XML 1.0 cannot carry C0 control characters at all: they are dropped, everything else survives.
    const printable = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
    expect(eight.failure['@_message']).toBe(printable(`GET /v1/models answered ${NASTY}`));
    expect(eight.failure['#text']).toBe(printable(evidenceText(evidence)));
    expect(suite.testcase[0].skipped['@_message']).toBe('needs --database-url <url> & a "database"');
  });
});
