-- How often each delivery came again after it was stored: a redelivery is
-- acknowledged and not stored twice, and cosellbot inbox shows the count
-- (the duplicate outcome) next to the row it repeated.

-- +goose Up
ALTER TABLE inbox ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE inbox DROP COLUMN duplicates;
