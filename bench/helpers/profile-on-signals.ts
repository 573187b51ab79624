import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** SIGUSR2 starts a V8 CPU profile of this process; SIGUSR1 stops it, writes it to `file` and prints `PROFILED`. */
export function profileOnSignals(file: string, intervalUs = 100): void {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  process.on('SIGUSR2', () => {
    void post('Profiler.enable')
      .then(() => post('Profiler.setSamplingInterval', { interval: intervalUs }))
      .then(() => post('Profiler.start'))
      .then(() => process.stdout.write('PROFILING\n'));
  });
  process.on('SIGUSR1', () => {
    void post('Profiler.stop').then(({ profile }) => {
      writeFileSync(file, JSON.stringify(profile));
      process.stdout.write('PROFILED\n');
    });
  });
}
