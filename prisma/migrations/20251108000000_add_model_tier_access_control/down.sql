-- Rollback of 20251108000000_add_model_tier_access_control: the deployment guide's
-- rollback SQL ("Rollback Plan", step 2). Drops exactly what migration.sql adds.

-- Drop indexes
DROP INDEX IF EXISTS models_is_available_required_tier_idx;
DROP INDEX IF EXISTS models_required_tier_idx;

-- Drop columns
ALTER TABLE models DROP COLUMN IF EXISTS allowed_tiers;
ALTER TABLE models DROP COLUMN IF EXISTS tier_restriction_mode;
ALTER TABLE models DROP COLUMN IF EXISTS required_tier;
