import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/shared/exit-codes.js';
import { TierctlError, failure } from '../../src/shared/failure.js';

describe('TierctlError', () => {
  it("is recognized across copies of the class (the CLI's main.js and a command's bundle each have one)", () => {
    const f = failure('x', 'boom', ExitCode.usage);
    // Another bundle's class: same registered brand, different class object.
    const brand = Symbol.for('tierctl.TierctlError');
    class OtherCopy extends Error {
      readonly failure = f;
      readonly [brand] = true;
    }
    expect(new OtherCopy('boom')).toBeInstanceOf(TierctlError);
    expect(new TierctlError(f)).toBeInstanceOf(TierctlError);
    expect(new TierctlError(f)).toBeInstanceOf(Error);
    expect(new Error('boom')).not.toBeInstanceOf(TierctlError);
    expect((null as unknown) instanceof TierctlError).toBe(false);
    expect({ failure: f } instanceof TierctlError).toBe(false);
  });
});
