-- A CRM record deleted while linked keeps its external_sync row as a
-- tombstone: no deal, and the deletion's time in the CRM. An event of the
-- record older than that, delivered late (HubSpot and Dataverse do not keep
-- order), is stale; without the row it found the deal again by its CRM ID
-- and linked the deleted record back.

-- +goose Up
ALTER TABLE external_sync ADD COLUMN gone_at DATETIME;

-- +goose Down
ALTER TABLE external_sync DROP COLUMN gone_at;
