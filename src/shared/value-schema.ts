/**
 * The few value checks the CLI's shared settings need, without zod: loading zod costs a
 * command ~750 KB of JavaScript, so only the commands that validate documents (fixtures,
 * manifests, the server's config) load it. Each check has zod's `safeParse` shape, so a zod
 * schema and one of these are interchangeable in a `Setting`.
 */
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
  return check((raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) return `expected a number, got ${JSON.stringify(raw)}`;
    if (bounds.integer && !Number.isInteger(n)) return 'expected a whole number';
    if (bounds.above !== undefined && !(n > bounds.above)) return `expected a number above ${bounds.above}`;
    if (bounds.min !== undefined && n < bounds.min) return `expected a number >= ${bounds.min}`;
    if (bounds.max !== undefined && n > bounds.max) return `expected a number <= ${bounds.max}`;
    return { value: n };
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
