import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a SQL file with plain `psql -v ON_ERROR_STOP=1`, as an operator would. */
export async function psqlFile(databaseUrl: string, file: string): Promise<void> {
  const url = new URL(databaseUrl);
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username), '-d', url.pathname.slice(1), '-f', file], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
  });
}
