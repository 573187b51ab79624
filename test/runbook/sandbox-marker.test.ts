import { describe, expect, it } from 'vitest';
import { escapeLike, MARKER_FORMAT, markerText, parseMarker, pidInName, staleVerdict, type SandboxMarker } from '../../src/runbook/rehearse/sandbox-marker.js';

const name = 'tierctl_rehearse_4242_a1b2c3';
const marker: SandboxMarker = { format: MARKER_FORMAT, database: name, host: 'box', pid: 4242, startedAt: '2025-11-08T00:00:00.000Z' };
const dead = () => false;

describe('sandbox marker (safety rule 6)', () => {
  it('takes only the exact sandbox name shape', () => {
    expect(pidInName(name)).toBe(4242);
    for (const other of ['tierctl-rehearse-prod', 'tierctl_rehearse_prod_a1b2c3', 'tierctl_rehearse_4242_a1b2c3x', 'tierctl_rehearse_0_a1b2c3', 'tierctl_rehearse_4242_A1B2C3']) {
      expect(pidInName(other), other).toBeNull();
    }
  });

  it('escapes LIKE wildcards', () => {
    expect(escapeLike('tierctl_rehearse_%\\')).toBe('tierctl\\_rehearse\\_\\%\\\\');
  });

  it('drops only a marked sandbox of a dead rehearsal on this host', () => {
    expect(staleVerdict({ name, marker }, 'box', dead)).toEqual({ drop: true, marker });
    expect(staleVerdict({ name, marker }, 'box', () => true)).toMatchObject({ drop: false, reason: expect.stringMatching(/still running/) });
    expect(staleVerdict({ name, marker }, 'other-box', dead)).toMatchObject({ drop: false, reason: expect.stringMatching(/host box/) });
    expect(staleVerdict({ name, marker: null }, 'box', dead)).toMatchObject({ drop: false, reason: expect.stringMatching(/no tierctl sandbox marker/) });
    expect(staleVerdict({ name, marker: { ...marker, database: 'tierctl_rehearse_4242_ffffff' } }, 'box', dead).drop).toBe(false);
    expect(staleVerdict({ name, marker: { ...marker, pid: 4243 } }, 'box', dead).drop).toBe(false);
    expect(staleVerdict({ name: 'tierctl-rehearse-prod', marker }, 'box', dead)).toEqual({ drop: false, reason: null });
  });

  it('reads back only its own marker', () => {
    expect(parseMarker(markerText(marker))).toEqual(marker);
    for (const c of [null, '', 'a comment', '{"format":"other"}', JSON.stringify({ ...marker, pid: '4242' })]) expect(parseMarker(c), String(c)).toBeNull();
  });
});
