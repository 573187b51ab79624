/**
 * `tierctl rehearse`, the README's main job: wall time of the whole run (sandbox, backend,
 * deploy with the eight checks, rollback drill, re-apply, checks again, cleanup), with each
 * phase's time, against `tierctl --help` in the same run. Goal < 30 s.
 */
import { spawnSync } from 'node:child_process';
import { packagePath } from '../src/shared/package-root.js';
import { reportFigure } from './report.js';

const bin = packagePath('bin', 'tierctl.js');
const helpStart = performance.now();
spawnSync(process.execPath, [bin, '--help'], { stdio: 'ignore' });
const helpMs = performance.now() - helpStart;
const start = performance.now();
const r = spawnSync(process.execPath, [bin, 'rehearse', '--json'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
const wallMs = performance.now() - start;
if (r.status !== 0) throw new Error(`tierctl rehearse exited ${r.status}: ${r.stderr}`);
const report = JSON.parse(r.stdout) as { phases: { id: string; durationMs: number }[]; deploy: { phases: { id: string; durationMs: number }[] } };
reportFigure({
  name: 'rehearse-duration',
  what: '`tierctl rehearse`: sandbox, deploy + 8 checks, rollback drill, re-apply, 8 checks again, cleanup (wall time)',
  value: Number((wallMs / 1000).toFixed(2)),
  unit: 's',
  baseline: `tierctl --help: ${Math.round(helpMs)} ms`,
  goal: '< 30 s',
  met: wallMs < 30_000,
  detail: {
    phasesMs: Object.fromEntries(report.phases.map((p) => [p.id, p.durationMs])),
    deployPhasesMs: Object.fromEntries(report.deploy.phases.map((p) => [p.id, p.durationMs])),
  },
});
