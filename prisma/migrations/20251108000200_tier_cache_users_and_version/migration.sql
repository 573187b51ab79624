-- Cache invalidation, part two (part one: 20251108000100_tier_cache_invalidation):
-- 1. A deleted user loses access at once on every instance: "users" gets the same NOTIFY
--    triggers as "subscriptions" (a user without subscriptions has none to cascade to):
--      {"table":"users","op":"DELETE","id":"<uuid>"}, {"table":"users","op":"TRUNCATE"}
-- 2. A change counter for servers that cannot LISTEN (DATABASE_URL through a transaction
--    pooler and no DIRECT_URL): each transaction that changes "models" or "subscriptions",
--    or deletes from "users", adds one to a row of "tierctl_cache_version" (once per
--    transaction and schema), and those servers poll the sum of "version". The row is the
--    writer's slot (its backend pid modulo 1024): a connection runs one transaction at a
--    time, so concurrent writers almost never share a row and never queue on one counter.
--    The sum grows only when a bump commits, which is what the pollers need to see.
--    The counter lives in the schema of the table that fired (TG_TABLE_SCHEMA), so the
--    function works whatever the search_path of the writer, and a counter dropped by hand
--    never makes a write fail (the pollers see it gone and turn their caches off).
-- The function body is an E'' string with its semicolons written as \073 because Prisma's
-- driver adapter splits a script at every semicolon, dollar quotes or not.
-- (Deferred constraint triggers would bump at commit, but Prisma's schema engine cannot
-- describe a database that has one.)

-- CreateTable
CREATE TABLE "tierctl_cache_version" (
    "slot" INTEGER NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "tierctl_cache_version_pkey" PRIMARY KEY ("slot")
);

CREATE FUNCTION "tierctl_bump_cache_version"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  mark text := txid_current()::text || ''/'' || TG_TABLE_SCHEMA\073
BEGIN
  IF current_setting(''tierctl.cache_version_bumped'', true) IS DISTINCT FROM mark THEN
    PERFORM set_config(''tierctl.cache_version_bumped'', mark, true)\073
    BEGIN
      EXECUTE format(''INSERT INTO %I."tierctl_cache_version" AS c ("slot", "version") VALUES (pg_backend_pid() %% 1024, 1)
                      ON CONFLICT ("slot") DO UPDATE SET "version" = c."version" + 1'', TG_TABLE_SCHEMA)\073
    EXCEPTION WHEN undefined_table THEN
      NULL\073
    END\073
  END IF\073
  RETURN NULL\073
END
';

-- CreateTrigger
CREATE TRIGGER "users_tierctl_cache_notify" AFTER DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_notify_cache_change"('id');

-- CreateTrigger
CREATE TRIGGER "users_tierctl_cache_notify_truncate" AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_notify_cache_change"('id');

-- CreateTrigger
CREATE TRIGGER "models_tierctl_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "models"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- CreateTrigger
CREATE TRIGGER "models_tierctl_cache_version_truncate" AFTER TRUNCATE ON "models"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- CreateTrigger
CREATE TRIGGER "subscriptions_tierctl_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "subscriptions"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- CreateTrigger
CREATE TRIGGER "subscriptions_tierctl_cache_version_truncate" AFTER TRUNCATE ON "subscriptions"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- CreateTrigger
CREATE TRIGGER "users_tierctl_cache_version" AFTER DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- CreateTrigger
CREATE TRIGGER "users_tierctl_cache_version_truncate" AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_bump_cache_version"();

-- Running instances drop their caches when this commits
SELECT pg_notify('tierctl_cache', '{"table":"*"}');
