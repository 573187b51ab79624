-- Rollback of 20251108000200_tier_cache_users_and_version: drops exactly what migration.sql
-- created (the triggers, the counter function and the counter table), newest first. Servers
-- polling the counter see it gone and turn their caches off until it is back.

DROP TRIGGER IF EXISTS "users_tierctl_cache_version_truncate" ON "users";
DROP TRIGGER IF EXISTS "users_tierctl_cache_version" ON "users";
DROP TRIGGER IF EXISTS "subscriptions_tierctl_cache_version_truncate" ON "subscriptions";
DROP TRIGGER IF EXISTS "subscriptions_tierctl_cache_version" ON "subscriptions";
DROP TRIGGER IF EXISTS "models_tierctl_cache_version_truncate" ON "models";
DROP TRIGGER IF EXISTS "models_tierctl_cache_version" ON "models";
DROP TRIGGER IF EXISTS "users_tierctl_cache_notify_truncate" ON "users";
DROP TRIGGER IF EXISTS "users_tierctl_cache_notify" ON "users";
DROP FUNCTION IF EXISTS "tierctl_bump_cache_version"();
DROP TABLE IF EXISTS "tierctl_cache_version";

SELECT pg_notify('tierctl_cache', '{"table":"*"}');
