import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, runCliInterrupted } from '../helpers/run-cli.js';
import { privateTmp, sandboxesOf, type PrivateTmp } from '../helpers/rehearsal.js';

// Each rehearsal gets a TMPDIR of its own: what is left there is what that run left.
let tmp: PrivateTmp;
beforeEach(async () => {
  tmp = await privateTmp();
});
afterEach(() => tmp.remove());

describe('tierctl rehearse', () => {
  it('runs the whole runbook and the rollback drill, then leaves nothing behind', async () => {
    const r = await runCli(['rehearse', '--json'], { env: tmp.env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('passed');
    expect(report.phases.map((p: { id: string; outcome: string }) => `${p.id}:${p.outcome}`)).toEqual([
      'sandbox:ok', 'backend:ok', 'deploy:ok', 'rollback-drill:ok', 'reapply:ok', 'checks-again:ok',
    ]);
    expect(report.deploy.phases.find((p: { id: string }) => p.id === 'verify').detail).toBe('8/8 checks passed');
    expect(report.rollback.verification.map((v: { id: string; result: string }) => `${v.id}:${v.result}`)).toEqual(['schema:pass', 'api:pass', 'models-csv:pass']);
    expect(report.leftovers).toEqual([]);
    expect(report.sandbox).toMatch(/^tierctl_rehearse_\d+_/);
    const pid = Number(report.sandbox.split('_')[2]);
    expect(await sandboxesOf(pid)).toEqual([]);
    // It worked in the private TMPDIR (the backup and evidence it reports are there), and left nothing in it.
    expect(r.stdout).toContain(`${tmp.env.TMPDIR}/tierctl-rehearse-${pid}-`);
    expect(await tmp.leftovers()).toEqual([]);
  });

  it('cleans up after Ctrl-C too (exit 130)', async () => {
    const { code, stderr, pid } = await runCliInterrupted(['rehearse'], /… Backup and models CSV/, { env: tmp.env });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/✔ Clean up: .*dropped/);
    expect(await sandboxesOf(pid)).toEqual([]);
    expect(await tmp.leftovers()).toEqual([]);
  });

  it('refuses bad usage before creating anything (exit 2)', async () => {
    const both = await runCli(['rehearse', '--from-backup', 'x.manifest.json', '--from-database', 'postgresql://u@127.0.0.1/db']);
    expect(both.code, both.stderr).toBe(2);
    expect(both.stderr).toMatch(/give one source for the copy, not both/);
    const report = await runCli(['rehearse', '--report', '/proc/rehearsal.html']);
    expect(report.code, report.stderr).toBe(2);
    expect(report.stderr).toMatch(/--report: cannot write in \/proc/);
    const url = await runCli(['rehearse', '--from-database', 'mysql://db']);
    expect(url.code, url.stderr).toBe(2);
  });
});
