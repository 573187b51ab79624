import { missingOnServer, type DumpRequirements } from '../../db/dump/dump-requirements.js';
import { withClient } from '../../db/pg-connect.js';
import { ok, type Result } from '../../shared/failure.js';
import { finding, type Finding } from './findings.js';
import type { CopySource } from './copy-source.js';

/**
 * Before the sandbox is made: does the sandbox server have what the copy needs? An
 * extension it cannot install stops the rehearsal before anything is created (the restore
 * would fail half-way); missing roles are a warning (the copy is restored with
 * `--no-owner --no-acl`, so the rehearsal runs as the sandbox's user, not as production's
 * owner of `models`); a sandbox server older than the source is a warning too.
 */
export interface SandboxServerCheck {
  readonly missing: DumpRequirements;
  readonly serverVersion: string;
  readonly user: string;
  readonly findings: readonly Finding[];
}

export async function checkSandboxServer(adminUrl: string, source: CopySource): Promise<Result<SandboxServerCheck>> {
  const read = await withClient(adminUrl, async (client) => {
    const missing = await missingOnServer(client, source.requirements);
    const { rows } = await client.query<{ v: string; u: string }>(`SELECT current_setting('server_version_num') AS v, current_user AS u`);
    return { missing, versionNum: Number(rows[0]!.v), user: rows[0]!.u };
  });
  if (!read.ok) return read;
  const { missing, versionNum, user } = read.value;
  const major = Math.floor(versionNum / 10000);
  const serverVersion = `${major}.${versionNum % 10000}`;
  const findings: Finding[] = [];
  if (missing.extensions.length > 0) {
    findings.push(finding({
      id: 'missing-extensions',
      severity: 'blocker',
      title: `The sandbox server lacks ${missing.extensions.length} extension${missing.extensions.length > 1 ? 's' : ''} the copy needs`,
      detail: `${source.database} uses ${missing.extensions.join(', ')}, which the sandbox server cannot install (not in pg_available_extensions): the restore would fail, so nothing was created.`,
      wayOut: `Install ${missing.extensions.join(', ')} on the sandbox server (its PostgreSQL ${major} package, e.g. postgresql-${major}-<extension> or postgresql-contrib), or rehearse on a server that has them: --sandbox-url postgresql://user@staging-host/postgres.`,
      evidence: { needed: source.requirements.extensions, missing: missing.extensions },
    }));
  }
  if (missing.roles.length > 0) {
    findings.push(finding({
      id: 'missing-roles',
      severity: 'warning',
      title: `The sandbox server lacks ${missing.roles.length} role${missing.roles.length > 1 ? 's' : ''} that own or are granted objects of the copy`,
      detail: `${missing.roles.join(', ')} ${missing.roles.length > 1 ? 'do' : 'does'} not exist on the sandbox server. The copy was restored with --no-owner --no-acl: its objects belong to ${user}, who ran the migration here. In production the migration must run as the owner of models (or a member of its role), and grants are not rehearsed.`,
      wayOut: `To rehearse ownership and grants too, create the roles on the sandbox server (CREATE ROLE ${missing.roles[0]} NOLOGIN; ...). Before the real deployment, check \`tierctl preflight\` against production: it reports who owns models.`,
      evidence: { needed: source.requirements.roles, missing: missing.roles },
    }));
  }
  if (major < source.serverMajor) {
    findings.push(finding({
      id: 'sandbox-server-older',
      severity: 'warning',
      title: `The sandbox server (PostgreSQL ${serverVersion}) is older than the source (${source.serverVersion})`,
      detail: 'Lock behaviour and timings can differ between major versions, and a dump of a newer server may not restore into an older one.',
      wayOut: `Rehearse on a PostgreSQL ${source.serverMajor} server (--sandbox-url).`,
    }));
  }
  return ok({ missing, serverVersion, user, findings });
}
