// The lock sampler's loop (see lock-sampler.ts for the method), in a worker thread of its
// own so that the event loop of the process under test (server, traffic) cannot delay its
// samples. Plain JavaScript: a worker thread loads it with Node itself, in tsx and vitest alike.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

// pg_locks.waitstart exists since PostgreSQL 14; on 13 a wait is timed from the first sample that saw it.
const sampleSql = (hasWaitstart) => `SELECT extract(epoch FROM clock_timestamp()) * 1000 AS at,
  coalesce(json_agg(json_build_object('pid', l.pid, 'tx', l.virtualtransaction, 'granted', l.granted,
    'waitstart', ${hasWaitstart ? 'extract(epoch FROM l.waitstart) * 1000' : 'NULL'}, 'app', a.application_name, 'query', left(a.query, 80))), '[]') AS locks
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE c.relname = 'models' AND c.relkind = 'r' AND l.mode = 'AccessExclusiveLock'
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
// Timed by the server: from the statement's arrival to after models was read (lock wait included).
const PROBE = `SELECT extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 AS ms FROM (SELECT count(*) FROM models) m`;

const round = (ms) => Number(ms.toFixed(2));

async function connect(name) {
  const client = new pg.Client({ connectionString: workerData.url, application_name: name });
  await client.connect();
  return client;
}

const client = await connect('tierctl-lock-sampler');
const { rows: version } = await client.query(`SELECT current_setting('server_version_num')::int >= 140000 AS has`);
const hasWaitstart = version[0].has;
await client.query(`PREPARE locks AS ${sampleSql(hasWaitstart)}`);
const probe = workerData.probe ? await connect('tierctl-lock-probe') : undefined;
await probe?.query(`PREPARE probe AS ${PROBE}`);

let running = true;
parentPort.once('message', () => (running = false));

const open = new Map();
const done = [];
let samples = 0;
let first = Number.NaN;
let prevAt = Number.NaN;
let maxGap = 0;
let readerMax = 0;

async function sample() {
  while (running) {
    const { rows } = await client.query('EXECUTE locks');
    const at = Number(rows[0].at);
    if (samples === 0) {
      first = at;
      parentPort.postMessage({ type: 'ready' });
    } else maxGap = Math.max(maxGap, at - prevAt);
    samples += 1;
    const present = new Set();
    for (const l of rows[0].locks) {
      // One window per backend while its lock stays in view: not per virtualtransaction,
      // which PostgreSQL already clears during COMMIT while the lock is still listed.
      const key = l.pid;
      present.add(key);
      let w = open.get(key);
      if (!w) {
        const exact = !l.granted && l.waitstart !== null;
        w = { pid: l.pid, app: l.app ?? '', query: l.query ?? '', prevAt: samples === 1 ? at : prevAt, start: exact ? l.waitstart : at, exactStart: exact, last: at, next: Number.NaN, grantedAt: null, waitstart: null };
        open.set(key, w);
      }
      w.last = at;
      if (l.granted && w.grantedAt === null) w.grantedAt = at;
      if (!l.granted && l.waitstart !== null) {
        w.waitstart = l.waitstart;
        // waitstart can be null for a moment after a wait begins: adopt it once it shows.
        if (!w.exactStart) Object.assign(w, { start: l.waitstart, exactStart: true });
      } else if (!l.granted && !hasWaitstart && w.waitstart === null) {
        w.waitstart = at; // PostgreSQL 13: the wait began at most one gap before this sample
      }
    }
    for (const [key, w] of open) {
      if (present.has(key)) continue;
      w.next = at;
      done.push(w);
      open.delete(key);
    }
    prevAt = at;
  }
}

async function probeReads() {
  while (running && probe) {
    const { rows } = await probe.query('EXECUTE probe');
    readerMax = Math.max(readerMax, Number(rows[0].ms));
  }
}

await Promise.all([sample(), probeReads()]);
await Promise.all([client.end(), probe?.end()]);
for (const w of open.values()) done.push({ ...w, next: prevAt });
const windows = done.map((w) => ({
  pid: w.pid,
  app: w.app,
  query: w.query,
  lowerMs: round(w.last - w.start),
  upperMs: round((Number.isNaN(w.next) ? w.last : w.next) - (w.exactStart ? w.start : w.prevAt)),
  waitedMs: round(w.waitstart === null ? 0 : (w.grantedAt ?? w.last) - w.waitstart),
}));
parentPort.postMessage({
  type: 'report',
  windows,
  samples,
  intervalMs: round(samples > 1 ? (prevAt - first) / (samples - 1) : Number.NaN),
  maxGapMs: round(maxGap),
  maxMs: Math.max(0, ...windows.map((w) => w.upperMs)),
  readerMaxMs: round(readerMax),
});
