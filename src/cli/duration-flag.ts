import { parseDuration } from '../shared/duration.js';
import { err, unwrap, usageFailure } from '../shared/failure.js';

/** A duration flag (`5s`, `500ms`, `2m`) in milliseconds, or a usage error (exit 2) naming the flag. */
export function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  return ms === null ? unwrap(err(usageFailure('invalid_duration', `${flag}: expected a duration like 5s, 500ms or 2m (got ${JSON.stringify(text)})`))) : ms;
}
