import { describe, expect, it } from 'vitest';
import { booleanValue, durationIn, numberIn, optional, urlOf } from '../../src/shared/value-schema.js';

const problem = (r: { success: boolean; error?: { issues: readonly { message: string }[] } }) => (r.success ? null : r.error!.issues[0]!.message);

describe('value checks (the CLI settings without zod)', () => {
  it('urlOf accepts the listed schemes only', () => {
    const pg = urlOf(['postgres:', 'postgresql:'], 'must be a postgres URL');
    expect(pg.safeParse('postgresql://u@h/db')).toEqual({ success: true, data: 'postgresql://u@h/db' });
    expect(problem(pg.safeParse('mysql://u@h/db'))).toBe('must be a postgres URL');
    expect(problem(pg.safeParse('not a url'))).toBe('must be a postgres URL');
    expect(problem(pg.safeParse(5))).toBe('must be a postgres URL');
  });

  it('numberIn converts numeric strings and enforces bounds and wholeness', () => {
    const port = numberIn({ integer: true, min: 0, max: 65535 });
    expect(port.safeParse('4000')).toEqual({ success: true, data: 4000 });
    expect(port.safeParse(0)).toEqual({ success: true, data: 0 });
    expect(problem(port.safeParse('99999'))).toBe('expected a whole number from 0 to 65535');
    expect(problem(port.safeParse('-1'))).toBe('expected a whole number from 0 to 65535');
    expect(problem(port.safeParse('1.5'))).toBe('expected a whole number from 0 to 65535');
    expect(problem(port.safeParse('abc'))).toBe('expected a whole number from 0 to 65535');
    expect(problem(port.safeParse(''))).toBe('expected a whole number from 0 to 65535');
    const positive = numberIn({ integer: true, above: 0 });
    expect(problem(positive.safeParse('0'))).toBe('expected a whole number above 0');
    expect(numberIn({ min: 0, max: 100 }).safeParse('99.5')).toEqual({ success: true, data: 99.5 });
  });

  it('durationIn: ms, s, m, h; a bare number is seconds; bounds in one wording', () => {
    const d = durationIn({ min: 0 });
    expect(['500ms', '5s', '5', '2m', '1.5min', '1h', '0'].map((t) => d.safeParse(t))).toEqual(
      [500, 5000, 5000, 120_000, 90_000, 3_600_000, 0].map((data) => ({ success: true, data })),
    );
    for (const bad of ['soon', '-1s', '', '5 days', '1e3']) expect(problem(d.safeParse(bad))).toBe('expected a duration: 500ms, 5s, 2m, 1h; a bare number is seconds');
    expect(problem(durationIn({ above: 0 }).safeParse('0s'))).toBe('expected a duration above 0 ms');
  });

  it('booleanValue takes booleans and true/false/1/0/yes/no', () => {
    expect(booleanValue.safeParse(false)).toEqual({ success: true, data: false });
    expect(booleanValue.safeParse('yes')).toEqual({ success: true, data: true });
    expect(booleanValue.safeParse('0')).toEqual({ success: true, data: false });
    expect(problem(booleanValue.safeParse('maybe'))).toBe('expected one of true, 1, yes, false, 0, no');
  });

  it('optional lets undefined through and keeps the inner problem', () => {
    const o = optional(numberIn({ min: 1 }));
    expect(o.safeParse(undefined)).toEqual({ success: true, data: undefined });
    expect(o.safeParse('3')).toEqual({ success: true, data: 3 });
    expect(problem(o.safeParse('0'))).toBe('expected a number of at least 1');
  });
});
