/** JUnit XML as CI systems read it (Jenkins, GitLab, GitHub Actions reporters). */
export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeMs: number;
  readonly failure?: { readonly message: string; readonly details: string };
  readonly skipped?: string;
}

export interface JUnitSuite {
  readonly name: string;
  readonly timestamp: string;
  readonly cases: readonly JUnitCase[];
}

// XML 1.0 cannot carry most control characters at all, even escaped: drop them.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(c: JUnitCase): string {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${seconds(c.timeMs)}"`;
  if (c.failure) return `${open}>\n      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.details)}</failure>\n    </testcase>`;
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${xmlEscape(c.skipped)}"/>\n    </testcase>`;
  return `${open}/>`;
}

export function junitXml(suites: readonly JUnitSuite[]): string {
  const count = (s: JUnitSuite, f: (c: JUnitCase) => boolean) => s.cases.filter(f).length;
  const total = (f: (c: JUnitCase) => boolean) => suites.reduce((n, s) => n + count(s, f), 0);
  const time = (s: JUnitSuite) => s.cases.reduce((ms, c) => ms + c.timeMs, 0);
  const body = suites.map(
    (s) =>
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${count(s, (c) => !!c.failure)}" errors="0" skipped="${count(s, (c) => c.skipped !== undefined)}" time="${seconds(time(s))}" timestamp="${xmlEscape(s.timestamp)}">\n${s.cases.map(testcase).join('\n')}\n  </testsuite>`,
  );
  const all = () => true;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${total(all)}" failures="${total((c) => !!c.failure)}" errors="0" skipped="${total((c) => c.skipped !== undefined)}">\n${body.join('\n')}\n</testsuites>\n`;
}
