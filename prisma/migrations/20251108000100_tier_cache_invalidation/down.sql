-- Rollback of 20251108000100_tier_cache_invalidation: drops the triggers and their function.
-- tierctl rolls back newest first in one transaction, so this runs before the tier
-- migration's down.sql. The NOTIFY is delivered when that transaction commits: every running
-- instance then drops its caches and reads the schema afresh (the tier columns are gone).

DROP TRIGGER IF EXISTS "subscriptions_tierctl_cache_notify_truncate" ON "subscriptions";
DROP TRIGGER IF EXISTS "subscriptions_tierctl_cache_notify" ON "subscriptions";
DROP TRIGGER IF EXISTS "models_tierctl_cache_notify_truncate" ON "models";
DROP TRIGGER IF EXISTS "models_tierctl_cache_notify" ON "models";
DROP FUNCTION IF EXISTS "tierctl_notify_cache_change"();

SELECT pg_notify('tierctl_cache', '{"table":"*"}');
