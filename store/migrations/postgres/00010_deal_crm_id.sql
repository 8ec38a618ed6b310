-- A CRM record's first event finds the deal with its crm_id (cosellbot links
-- the two then). crm_id lived only in the JSON body, so finding it read every
-- deal's body: with 5,000 deals, 13 ms per first event (make bench-e2e with
-- -deals 5000: 72 events applied a second). The column repeats the body's
-- value, written with it, and is indexed with the id (the first deal by id
-- is the index's first entry for the crm_id).

-- +goose Up
ALTER TABLE deals ADD COLUMN crm_id text NOT NULL DEFAULT '';
UPDATE deals SET crm_id = body::jsonb ->> 'crm_id' WHERE body::jsonb ? 'crm_id';
CREATE INDEX deals_crm_id ON deals (crm_id, id);

-- +goose Down
DROP INDEX deals_crm_id;
ALTER TABLE deals DROP COLUMN crm_id;
