import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { err, ok, usageFailure, type Result } from './failure.js';
import type { ValueSchema } from './value-schema.js';

/** Where settings come from, highest precedence first: flags, then environment, then `.env`. */
export interface ConfigSources {
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dotenv: Readonly<Record<string, string>>;
}

export interface Setting<T> {
  /** The commander option key (camelCase), e.g. `databaseUrl` for `--database-url`. */
  readonly flag?: string;
  readonly env?: string;
  /** A zod schema or a `ValueSchema`: anything with zod's `safeParse`. */
  readonly schema: ValueSchema<T>;
  /** Used when no source sets it; a setting without a default is required. */
  readonly fallback?: T;
  /** Never echo the value in a problem. */
  readonly secret?: boolean;
}

type Settings = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Settings> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function describe(setting: Setting<unknown>): string {
  return [setting.flag && flagName(setting.flag), setting.env].filter(Boolean).join(' / ');
}

function rawValue(setting: Setting<unknown>, sources: ConfigSources): unknown {
  if (setting.flag && sources.flags[setting.flag] !== undefined) return sources.flags[setting.flag];
  if (setting.env && sources.env[setting.env] !== undefined && sources.env[setting.env] !== '') return sources.env[setting.env];
  if (setting.env && sources.dotenv[setting.env] !== undefined) return sources.dotenv[setting.env];
  return undefined;
}

/**
 * Resolves every setting at once and reports every problem together (exit 2), so an
 * operator fixes their configuration in one go rather than one error per run.
 */
export function resolveConfig<S extends Settings>(settings: S, sources: ConfigSources): Result<ConfigOf<S>> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(settings)) {
    const raw = rawValue(setting, sources);
    if (raw === undefined) {
      if ('fallback' in setting) values[key] = setting.fallback;
      else problems.push(`${describe(setting)}: required but not set`);
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${describe(setting)}: ${why}${setting.secret ? '' : ` (got ${JSON.stringify(raw)})`}`);
    }
  }
  if (problems.length > 0) {
    return err(usageFailure('invalid_config', `Configuration problem${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`, { problems }));
  }
  return ok(values as ConfigOf<S>);
}

/**
 * The variables of the `.env` file: `TIERCTL_ENV_FILE` when set (then it must be readable:
 * a file the operator named and that is not there is an error, exit 2), else `./.env` when
 * it exists.
 */
export function readDotenv(env: Readonly<Record<string, string | undefined>>): Result<Record<string, string>> {
  const named = env.TIERCTL_ENV_FILE !== undefined && env.TIERCTL_ENV_FILE !== '';
  const path = named ? env.TIERCTL_ENV_FILE! : '.env';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    if (code === 'ENOENT' && !named) return ok({});
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : code;
    return err(usageFailure('env_file_unreadable', `${named ? 'TIERCTL_ENV_FILE' : '.env'}: cannot read ${path} (${why})`, {
      hint: named ? 'Point TIERCTL_ENV_FILE at an existing .env file, or unset it to read ./.env when there is one.' : 'Make ./.env readable, or remove it.',
    }));
  }
  return ok(parseEnv(text) as Record<string, string>);
}
