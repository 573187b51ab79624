/**
 * The lines the deployment guide tells an operator to look for, as `migrate apply`, `seed`
 * and `deploy` print them (real runs only: a dry run prints its own summary instead).
 * Wording and tree shape are the guide's (steps 4 and 6); the counts are this run's.
 */

/** Guide step 4 (`npx prisma migrate deploy`): `head` before tierctl's own tables, `last` after them. */
export function migrateDeployLines(found: number, migrationsDir: string | undefined, applied: readonly string[]): { head: string[]; last: string } {
  const head = [`${found} migration${found === 1 ? '' : 's'} found in ${migrationsDir ?? 'prisma/migrations'}`];
  if (applied.length === 0) head.push('No pending migrations to apply.');
  else {
    head.push(applied.length === 1 ? 'The following migration was applied:' : 'The following migrations were applied:', 'migrations/');
    for (const name of applied) head.push(`  └─ ${name}/`, '      └─ migration.sql');
  }
  return { head, last: 'Database is now in sync with schema.' };
}

/**
 * Guide step 6's count line, `Created/updated 3 models` word for word for the guide's count;
 * the noun agrees with the count otherwise (`1 model`, `0 models`), so a grep for the
 * guide's line or for `Created/updated` finds it whatever the count.
 */
export const createdUpdatedLine = (touched: number): string => `Created/updated ${touched} model${touched === 1 ? '' : 's'}`;

/** Guide step 6 (`npx prisma db seed`): the line before the seed's table, and the two after it. */
export function seedGuideLines(touched: number, upToDate: number): [string, string, string] {
  return ['Seeding database...', `${createdUpdatedLine(touched)}${upToDate > 0 ? ` (${upToDate} already up to date)` : ''}`, 'Seeding completed successfully'];
}
