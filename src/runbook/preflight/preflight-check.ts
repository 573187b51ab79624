/** One preflight finding: ok, a warning to read, or a blocker that stops the deployment (exit 1). */
export type CheckStatus = 'ok' | 'warn' | 'blocker';

export interface PreflightCheck {
  /** Stable id, e.g. `schema-state`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** The way out, for a warning or a blocker. */
  readonly hint?: string;
  /** Evidence rows (sessions, migrations...), shown as a table. */
  readonly details?: readonly Record<string, string | number | boolean | null>[];
}

export function preflightCheck(id: string, title: string, status: CheckStatus, message: string, extra: Pick<PreflightCheck, 'hint' | 'details'> = {}): PreflightCheck {
  return { id, title, status, message, ...extra };
}

/** Bytes as the operator reads them (1.5 GiB). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
