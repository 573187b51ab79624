-- Rollback of 20251108000300_api_logs_request_id: drops the column. The rows stay, only
-- their request ids go. A running tierctl server notices at its next batch and writes rows
-- without it.

ALTER TABLE "api_logs" DROP COLUMN IF EXISTS "request_id";
