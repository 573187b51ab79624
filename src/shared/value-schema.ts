/**
 * The few value checks the CLI's shared settings need, without zod: loading zod costs a
 * command ~750 KB of JavaScript, so only the commands that validate documents (fixtures,
 * manifests, the server's config) load it. Each check has zod's `safeParse` shape, so a zod
 * schema and one of these are interchangeable in a `Setting`.
 */
import { DURATION_RULE, parseDuration } from './duration.js';

export type Parsed<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly error: { readonly issues: readonly { readonly message: string }[] } };

export interface ValueSchema<T> {
  safeParse(raw: unknown): Parsed<T>;
}

const fail = (message: string) => ({ success: false, error: { issues: [{ message }] } }) as const;

/** A value check from a function returning the value or a problem message. */
export function check<T>(parse: (raw: unknown) => { value: T } | string): ValueSchema<T> {
  return {
    safeParse(raw) {
      const r = parse(raw);
      return typeof r === 'string' ? fail(r) : { success: true, data: r.value };
    },
  };
}

/** A string URL whose scheme is one of `protocols` (e.g. `postgres:`). */
export const urlOf = (protocols: readonly string[], message: string): ValueSchema<string> =>
  check((raw) => {
    if (typeof raw !== 'string') return message;
    try {
      return protocols.includes(new URL(raw).protocol) ? { value: raw } : message;
    } catch {
      return message;
    }
  });

/** A number (a numeric string is converted) within bounds, whole if `integer`. */
export function numberIn(bounds: { readonly min?: number; readonly max?: number; readonly above?: number; readonly integer?: boolean }): ValueSchema<number> {
  // One wording whichever bound fails: what is expected, whole (resolveConfig adds what it got).
  const range =
    bounds.min !== undefined && bounds.max !== undefined
      ? ` from ${bounds.min} to ${bounds.max}`
      : bounds.above !== undefined
        ? ` above ${bounds.above}`
        : bounds.min !== undefined
          ? ` of at least ${bounds.min}`
          : bounds.max !== undefined
            ? ` of at most ${bounds.max}`
            : '';
  const expected = `expected ${bounds.integer ? 'a whole number' : 'a number'}${range}`;
  return check((raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    const fits =
      Number.isFinite(n) &&
      (!bounds.integer || Number.isInteger(n)) &&
      (bounds.above === undefined || n > bounds.above) &&
      (bounds.min === undefined || n >= bounds.min) &&
      (bounds.max === undefined || n <= bounds.max);
    return fits ? { value: n } : expected;
  });
}

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

/** A boolean, or one of true/false/1/0/yes/no. */
export const booleanValue: ValueSchema<boolean> = check((raw) => {
  if (typeof raw === 'boolean') return { value: raw };
  if (typeof raw === 'string' && TRUE.includes(raw)) return { value: true };
  if (typeof raw === 'string' && FALSE.includes(raw)) return { value: false };
  return `expected one of ${[...TRUE, ...FALSE].join(', ')}`;
});

/** `schema`, or undefined. */
export const optional = <T>(schema: ValueSchema<T>): ValueSchema<T | undefined> =>
  check((raw) => {
    if (raw === undefined) return { value: undefined };
    const r = schema.safeParse(raw);
    return r.success ? { value: r.data } : r.error.issues.map((i) => i.message).join('; ');
  });

/** A duration (see parseDuration) in milliseconds, at least `min` or above `above` milliseconds. */
export function durationIn(bounds: { readonly min?: number; readonly above?: number }): ValueSchema<number> {
  return check((raw) => {
    const ms = typeof raw === 'string' ? parseDuration(raw) : null;
    if (ms === null) return `expected ${DURATION_RULE}`;
    if (bounds.above !== undefined && !(ms > bounds.above)) return `expected a duration above ${bounds.above} ms`;
    if (bounds.min !== undefined && ms < bounds.min) return `expected a duration of at least ${bounds.min} ms`;
    return { value: ms };
  });
}
