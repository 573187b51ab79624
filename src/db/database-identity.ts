import type pg from 'pg';

/**
 * Which database this is, beyond its name (safety rule 3: a name alone proves nothing):
 * the cluster's system identifier (pg_control_system(), fixed at initdb), the database's
 * oid in that cluster, and its name. A backup records it; a restore or a rollback that
 * relies on the backup compares it with the live database before changing anything.
 */
export interface DatabaseIdentity {
  readonly systemIdentifier: string;
  readonly databaseOid: number;
  readonly database: string;
}

export async function databaseIdentity(client: pg.ClientBase): Promise<DatabaseIdentity> {
  const { rows } = await client.query<{ sid: string; oid: number; name: string }>(
    `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS sid, d.oid::int AS oid, d.datname AS name
       FROM pg_database d WHERE d.datname = current_database()`,
  );
  const r = rows[0]!;
  return { systemIdentifier: r.sid, databaseOid: r.oid, database: r.name };
}

export const sameDatabase = (a: DatabaseIdentity, b: DatabaseIdentity): boolean =>
  a.systemIdentifier === b.systemIdentifier && a.databaseOid === b.databaseOid && a.database === b.database;

export const describeIdentity = (i: DatabaseIdentity): string => `"${i.database}" (oid ${i.databaseOid}, cluster ${i.systemIdentifier})`;
