/**
 * How long-running steps tell the operator what they are doing, without touching the
 * console: the CLI edge supplies a spinner on a terminal and plain lines elsewhere;
 * tests and the server supply their own (or `silentReporter`).
 */
export interface StepHandle {
  succeed(detail?: string): void;
  fail(detail?: string): void;
  skip(reason: string): void;
  /** Replace the step's text while it runs (e.g. a retry count). */
  update(text: string): void;
}

export interface Reporter {
  step(title: string): StepHandle;
  info(message: string): void;
  warn(message: string): void;
}

const noopStep: StepHandle = { succeed() {}, fail() {}, skip() {}, update() {} };

export const silentReporter: Reporter = { step: () => noopStep, info() {}, warn() {} };

/** A reporter that records what it was told (for tests and evidence bundles). */
export function recordingReporter(): Reporter & { readonly events: string[] } {
  const events: string[] = [];
  return {
    events,
    step(title) {
      events.push(`step ${title}`);
      return {
        succeed: (d) => events.push(`ok ${title}${d ? `: ${d}` : ''}`),
        fail: (d) => events.push(`fail ${title}${d ? `: ${d}` : ''}`),
        skip: (r) => events.push(`skip ${title}: ${r}`),
        update: (t) => events.push(`update ${t}`),
      };
    },
    info: (m) => events.push(`info ${m}`),
    warn: (m) => events.push(`warn ${m}`),
  };
}
