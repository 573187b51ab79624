/** The documented exit codes of every tierctl command. */
export const ExitCode = {
  ok: 0,
  /** A check or a step failed. */
  failed: 1,
  /** Bad usage or configuration. */
  usage: 2,
  /** The target (database or API) could not be reached. */
  unreachable: 3,
  /** Refused for safety: data loss, no confirmation, a tampered backup. */
  refused: 4,
  /** monitor: a source that was given could not be measured (e.g. /metrics answered 404); no alert fired. */
  notMeasured: 5,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP = `Exit codes:
  0    ok
  1    a check or step failed
  2    usage or configuration error
  3    target unreachable (database or API)
  4    refused for safety (data loss, no confirmation, tampered backup)
  5    not measured (monitor: a source given could not be read; no alert fired)
  130  interrupted (Ctrl-C)`;
