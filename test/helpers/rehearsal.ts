/**
 * For tests of `tierctl rehearse` on a copy of production: what a rehearsal must leave
 * behind (nothing), the findings of a report by id, and a headless Chromium page.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery } from './test-database.js';

export interface ReportFinding {
  readonly id: string;
  readonly severity: 'blocker' | 'warning' | 'info';
  readonly title: string;
  readonly detail: string;
  readonly wayOut?: string;
  readonly evidence?: any;
}

export const findingsOf = (report: { findings: ReportFinding[] }, id: string) => report.findings.filter((f) => f.id === id);

/** Sandbox databases of the rehearsal run by `pid` still on the server (must be none afterwards). */
export async function sandboxesOf(pid: number): Promise<string[]> {
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE 'tierctl\\_rehearse\\_${pid}\\_%'`);
  return rows.map((r) => r.datname as string);
}

/**
 * A temporary directory of one rehearsal's own: pass `env` to the child (TMPDIR), and
 * `leftovers()` lists what it left there. The shared /tmp holds other runs' work directories
 * (other tests, other engineers, killed runs whose pid has come round again), so only a
 * private one says what this run left behind.
 */
export interface PrivateTmp {
  readonly env: { readonly TMPDIR: string };
  /** Everything still in the directory (must be nothing after a rehearsal). */
  leftovers(): Promise<string[]>;
  remove(): Promise<void>;
}

export async function privateTmp(): Promise<PrivateTmp> {
  const dir = await mkdtemp(join(tmpdir(), 'tierctl-t-tmpdir-'));
  return { env: { TMPDIR: dir }, leftovers: () => readdir(dir), remove: () => rm(dir, { recursive: true, force: true }) };
}

export const pidOfSandbox = (name: string) => Number(name.split('_')[2]);

/** Sessions still connected to `database` from tierctl or its pg_dump (application_name `tierctl...`). */
export async function tierctlSessionsOn(database: string): Promise<number> {
  const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}' AND application_name LIKE 'tierctl%' AND pid <> pg_backend_pid()`);
  return rows[0]!.n as number;
}

/** Opens an HTML file in the real headless Chromium; returns the page and everything that went wrong loading it. */
export async function openInChromium(file: string) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request to ${r.url()}`);
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, problems, close: () => browser.close() };
}
