#!/usr/bin/env node
/**
 * `npm run bench`: runs every bench/*.bench.ts (one after the other, so they do not
 * disturb each other), gathers the one JSON line each prints, prints one table (figure,
 * baseline measured in the same run, goal, met) and writes it to BENCHMARKS.md with the
 * machine, Node and PostgreSQL versions and the date. `BENCH_ONLY=a,b` runs a subset;
 * `BENCH_NO_WRITE=1` leaves BENCHMARKS.md alone. Each benchmark is bounded in time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || only.includes(f.replace('.bench.ts', '')))
  .sort();
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const PER_BENCH_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);

function pgVersion() {
  try {
    return execFileSync('psql', [process.env.TIERCTL_TEST_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const figures = [];
const started = Date.now();
for (const file of files) {
  process.stderr.write(`… ${file}\n`);
  const t0 = Date.now();
  // A benchmark that needs longer says so in its first line: `// bench-timeout: SECONDS`.
  const own = /^\/\/ bench-timeout: (\d+)/.exec(readFileSync(join(root, 'bench', file), 'utf8'));
  const r = spawnSync(process.execPath, [tsx, join('bench', file)], { cwd: root, encoding: 'utf8', timeout: own ? Number(own[1]) * 1000 : PER_BENCH_MS, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = r.stdout?.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.status !== 0 || !line) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    figures.push({ name: file.replace('.bench.ts', ''), what: `did not finish (${why})`, value: NaN, unit: '', baseline: '-', goal: '-', met: false });
    process.stderr.write(`✖ ${file}: ${why}\n`);
    continue;
  }
  const figure = JSON.parse(line);
  figures.push(figure);
  process.stderr.write(`${figure.met ? '✔' : '✖'} ${figure.name}: ${figure.value} ${figure.unit} (goal ${figure.goal}) in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

const cell = (v) => String(v).replaceAll('|', '\\|');
const rows = figures.map((f) => `| ${cell(f.name)} | ${cell(f.what)} | ${Number.isNaN(f.value) ? '-' : `${f.value} ${f.unit}`.trim()} | ${cell(f.baseline)} | ${cell(f.goal)} | ${f.met ? 'yes' : '**no**'} |`);
const table = ['| benchmark | what | figure | baseline (same run) | goal | met |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; PostgreSQL ${pgVersion()}`;
const when = new Date().toISOString();
process.stdout.write(`${table}\n\n${machine}\n${figures.filter((f) => f.met).length}/${figures.length} goals met in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
if (!process.env.BENCH_NO_WRITE && !only) {
  const details = figures.filter((f) => f.detail).map((f) => `- **${f.name}**: \`${JSON.stringify(f.detail)}\``).join('\n');
  // The written notes after the generated part (every `## ` section but "Raw numbers") are kept.
  let notes = '';
  try {
    const previous = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8');
    const start = previous.search(/^## (?!Raw numbers$)/m);
    if (start >= 0) notes = `\n${previous.slice(start).trimEnd()}\n`;
  } catch {
    // No BENCHMARKS.md yet.
  }
  writeFileSync(
    join(root, 'BENCHMARKS.md'),
    `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run-all.js) on ${when}.\n\nMachine: ${machine}.\n\nEvery figure is measured against a baseline taken in the same run, so the ratios compare across machines better than the absolute numbers do. Traffic goes only to 127.0.0.1.\n\n${table}\n\n## Raw numbers\n\n${details}\n${notes}`,
  );
  process.stderr.write('BENCHMARKS.md written\n');
}
