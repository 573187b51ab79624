import { describe, expect, it } from 'vitest';
import { requirementsFromToc } from '../../src/db/dump/dump-requirements.js';

// As pg_restore 15 prints them for a database with two extensions, an owned schema and a granted table.
const LISTING = `;
; Archive created at 2026-11-30 11:04:19 UTC
;     dbname: app
;     Dumped from database version: 15.20 (Debian 15.20-0+deb12u1)
;
8; 2615 86191 SCHEMA - app app_owner
3; 3079 86079 EXTENSION - citext 
3486; 0 0 COMMENT - EXTENSION citext 
2; 3079 85998 EXTENSION - pg_trgm 
217; 1259 86186 TABLE public notes odd_owner
3488; 0 0 ACL public TABLE notes odd_owner
3479; 0 86186 TABLE DATA public notes odd_owner
`;
const ACL_SQL = `--
-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON TABLE public.notes TO app_reader, "Report Role";
GRANT ALL ON TABLE public.notes TO app_admin WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;
GRANT pg_read_all_data TO app_reader;
`;

describe('what a dump needs from the server it is restored on', () => {
  it('reads extensions, owners and grantees from the table of contents and the ACL statements only', () => {
    expect(requirementsFromToc(LISTING, ACL_SQL)).toEqual({
      extensions: ['citext', 'pg_trgm'],
      roles: ['Report Role', 'app_admin', 'app_owner', 'app_reader', 'odd_owner'],
    });
  });
});
