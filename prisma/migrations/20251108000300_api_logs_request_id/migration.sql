-- Each api_logs row names the request it records: the id the server sends back in the
-- `x-request-id` header, so that a row can be tied to the response a client saw and to the
-- server's log lines, and rows can be accounted for one by one (written, or counted as
-- dropped). Nullable and without a default: adding it rewrites nothing and holds its
-- ACCESS EXCLUSIVE lock only for an instant. Rows written by code that does not know the
-- column keep NULL. No index: building one would block api_logs writes for as long as the
-- build takes on a large table (query by created_at range, which is indexed).
-- (No semicolon in these comments: Prisma's engine splits the script at every one.)

-- AlterTable
ALTER TABLE "api_logs" ADD COLUMN "request_id" UUID;
