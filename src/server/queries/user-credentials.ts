import type pg from 'pg';
import { qualified } from '../../db/sql.js';

export interface UserCredentials {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
}

/** The user with exactly this email (emails are stored as given; the match is exact). */
export async function findUserByEmail(db: pg.Pool | pg.ClientBase, schema: string, email: string): Promise<UserCredentials | null> {
  // PostgreSQL text cannot hold NUL, so no stored email contains one (and the query would fail).
  if (email.includes('\u0000')) return null;
  const { rows } = await db.query<{ id: string; email: string; password_hash: string }>(
    `SELECT id, email, password_hash FROM ${qualified(schema, 'users')} WHERE email = $1`,
    [email],
  );
  const row = rows[0];
  return row ? { id: row.id, email: row.email, passwordHash: row.password_hash } : null;
}
