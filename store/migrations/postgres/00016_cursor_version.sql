-- A poll's cursor is saved over the version its poll read, and only over
-- it (compare and swap): two replicas polling at once both saved, the
-- last save winning, and the failed referrals the other held for retry
-- (kept in next) were dropped. The one refused reads the cursor again and
-- merges what the other saved into its own.

-- +goose Up
ALTER TABLE sync_cursors ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sync_cursors DROP COLUMN version;
