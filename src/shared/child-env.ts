/**
 * The environment a child process gets: only what it needs, never the database URL with
 * its password or another secret of tierctl's (the issue-13 rule "child processes get only
 * the environment they need"). PostgreSQL's programs get an allowlist (locale, paths,
 * TLS file locations) plus the libpq variables tierctl sets itself (password through a
 * passfile); an operator's hook (a shell command) gets the operator's environment minus
 * anything that holds a secret.
 */
export type ChildEnvKind = 'pg-tool' | 'hook';

/** Variables tierctl reads secrets from, or that carry a connection with its password. */
const SECRET_NAMES = new Set([
  'DATABASE_URL', 'DIRECT_URL', 'SHADOW_DATABASE_URL', 'TIERCTL_ADMIN_URL', 'TIERCTL_TEST_ADMIN_URL',
  'PGPASSWORD', 'PGPASSFILE', 'JWT_SECRET', 'TIERCTL_TEST_PASSWORD', 'OPENAI_COMPATIBLE_API_KEY',
]);
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;
/** A URL with a password in it: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;

const PG_TOOL_ALLOWED = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|PGSSLROOTCERT|PGSSLCERT|PGSSLKEY|PGSSLCRL|PGSSLCRLDIR|PGCONNECT_TIMEOUT|PGCLIENTENCODING|PGTZ|PGSYSCONFDIR)$/;

export const isSecretVariable = (name: string, value: string | undefined): boolean =>
  SECRET_NAMES.has(name) || SECRET_NAME.test(name) || (value !== undefined && URL_WITH_PASSWORD.test(value));

/** The child's environment from the parent's `parent` and what tierctl adds (`extra`; undefined removes). */
export function childEnvironment(kind: ChildEnvKind, parent: Readonly<Record<string, string | undefined>>, extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (kind === 'pg-tool' ? PG_TOOL_ALLOWED.test(name) : !isSecretVariable(name, value)) out[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}
