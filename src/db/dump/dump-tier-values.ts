import { ExitCode } from '../../shared/exit-codes.js';
import { execOk } from '../../shared/exec.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { PG_CLIENT_HINT } from './pg-tools.js';

/**
 * The tier values a dump holds, read from the dump itself: `pg_restore --data-only -n
 * SCHEMA -t models -f -` prints the table's COPY block (no database involved), parsed
 * here. This is what a backup can give back, whatever its timestamps say (safety rule 3).
 */
export interface TierValues {
  readonly requiredTier: string | null;
  readonly tierRestrictionMode: string | null;
  readonly allowedTiers: readonly string[] | null;
}

/** Model id -> its tier values in the dump; null when the dump's models table has no tier column. */
export type DumpTierValues = ReadonlyMap<string, TierValues> | null;

const COLUMNS = { required_tier: 'requiredTier', tier_restriction_mode: 'tierRestrictionMode', allowed_tiers: 'allowedTiers' } as const;

/** Undoes COPY's text-format escaping; `\N` is NULL. */
export function copyField(raw: string): string | null {
  if (raw === '\\N') return null;
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

/** A one-dimensional array literal of plain or double-quoted elements: `{free,pro}`, `{"a b",c}`. */
export function arrayLiteral(text: string): string[] {
  const inner = text.trim().replace(/^\{|\}$/g, '');
  if (inner === '') return [];
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  for (let m = re.exec(inner); m && m.index < inner.length; m = re.exec(inner)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!.trim());
  return out;
}

const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);

/** Parses the COPY block of `models` from a pg_restore script. */
export function parseModelsCopy(script: string): Result<DumpTierValues> {
  const header = /^COPY\s+\S+\s+\(([^)]*)\)\s+FROM stdin;$/m.exec(script);
  if (!header) return err(failure('dump_without_models', 'The dump holds no data for the models table', ExitCode.refused));
  const columns = header[1]!.split(',').map((c) => unquote(c.trim()));
  const at = (name: string) => columns.indexOf(name);
  if (at('id') === -1) return err(failure('dump_without_models', 'The dump\'s models data has no id column', ExitCode.refused));
  if (Object.keys(COLUMNS).every((c) => at(c) === -1)) return ok(null);
  const body = script.slice(header.index + header[0].length + 1);
  const values = new Map<string, TierValues>();
  for (const line of body.split('\n')) {
    if (line === '\\.') break;
    const fields = line.split('\t').map(copyField);
    const field = (c: keyof typeof COLUMNS) => (at(c) === -1 ? null : fields[at(c)] ?? null);
    const allowed = field('allowed_tiers');
    values.set(fields[at('id')]!, { requiredTier: field('required_tier'), tierRestrictionMode: field('tier_restriction_mode'), allowedTiers: allowed === null ? null : arrayLiteral(allowed) });
  }
  return ok(values);
}

/** The tier values of `schema`.models in the dump at `file`. */
export async function dumpTierValues(pgRestore: string, file: string, schema: string, signal?: AbortSignal): Promise<Result<DumpTierValues>> {
  const r = await execOk(pgRestore, ['--data-only', `--schema=${schema}`, '--table=models', '--file=-', file], {
    timeoutMs: 300_000,
    missingHint: PG_CLIENT_HINT,
    ...(signal ? { signal } : {}),
  });
  if (!r.ok) return r.failure.code === 'command_failed' ? err(failure('dump_unreadable', `pg_restore cannot read the models data of ${file}: ${r.failure.message}`, ExitCode.refused)) : r;
  return parseModelsCopy(r.value.stdout);
}
