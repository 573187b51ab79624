-- Cache invalidation for tierctl's API servers: every change to a row of "models" or
-- "subscriptions" sends a NOTIFY on channel tierctl_cache, and every running instance drops
-- what it cached about that model or user. Payloads are small JSON objects:
--   {"table":"models","op":"UPDATE","id":"gpt-5"}
--   {"table":"subscriptions","op":"INSERT","user_id":"<uuid>"}
--   {"table":"models","op":"TRUNCATE"}  (no key: drop everything cached from that table)
--   {"table":"*"}  (the schema changed: drop every cache and look at the tier columns again)
-- The trigger reads the key column named by its argument through to_jsonb(row), so it never
-- names a tier column: rolling back the tier migration leaves it working.
-- The function body is an E'' string with its semicolons written as \073 because Prisma's
-- driver adapter splits a script at every semicolon, dollar quotes or not.
CREATE FUNCTION "tierctl_notify_cache_change"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  key_column text := TG_ARGV[0]\073
  old_key text\073
  new_key text\073
BEGIN
  IF TG_LEVEL = ''ROW'' AND TG_OP <> ''INSERT'' THEN
    old_key := to_jsonb(OLD) ->> key_column\073
  END IF\073
  IF TG_LEVEL = ''ROW'' AND TG_OP <> ''DELETE'' THEN
    new_key := to_jsonb(NEW) ->> key_column\073
  END IF\073
  IF (old_key IS NULL AND new_key IS NULL) OR octet_length(old_key) > 4000 OR octet_length(new_key) > 4000 THEN
    PERFORM pg_notify(''tierctl_cache'', json_build_object(''table'', TG_TABLE_NAME, ''op'', TG_OP)::text)\073
    RETURN NULL\073
  END IF\073
  IF old_key IS NOT NULL THEN
    PERFORM pg_notify(''tierctl_cache'', json_build_object(''table'', TG_TABLE_NAME, ''op'', TG_OP, key_column, old_key)::text)\073
  END IF\073
  IF new_key IS NOT NULL AND new_key IS DISTINCT FROM old_key THEN
    PERFORM pg_notify(''tierctl_cache'', json_build_object(''table'', TG_TABLE_NAME, ''op'', TG_OP, key_column, new_key)::text)\073
  END IF\073
  RETURN NULL\073
END
';

-- CreateTrigger
CREATE TRIGGER "models_tierctl_cache_notify" AFTER INSERT OR UPDATE OR DELETE ON "models"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_notify_cache_change"('id');

-- CreateTrigger
CREATE TRIGGER "models_tierctl_cache_notify_truncate" AFTER TRUNCATE ON "models"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_notify_cache_change"('id');

-- CreateTrigger
CREATE TRIGGER "subscriptions_tierctl_cache_notify" AFTER INSERT OR UPDATE OR DELETE ON "subscriptions"
  FOR EACH ROW EXECUTE FUNCTION "tierctl_notify_cache_change"('user_id');

-- CreateTrigger
CREATE TRIGGER "subscriptions_tierctl_cache_notify_truncate" AFTER TRUNCATE ON "subscriptions"
  FOR EACH STATEMENT EXECUTE FUNCTION "tierctl_notify_cache_change"('user_id');

-- Running instances drop their caches and read the schema afresh when this commits
-- (delivered at commit, like every NOTIFY)
SELECT pg_notify('tierctl_cache', '{"table":"*"}');
