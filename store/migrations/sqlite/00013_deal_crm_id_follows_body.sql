-- deals.crm_id repeats the body's crm_id (00010), and cosellbot writes
-- both. A binary from before 00010 (0.8.0 and older) writes the body alone,
-- and its deals were then ignored by the newer binary's CRM events (see
-- the PostgreSQL file). The database sets the column from the body on
-- every write that leaves them apart (the body read only when they may
-- differ), and this migration repairs the rows
-- written before it. (SQLite serves one replica, so no two binaries share
-- it at once; the schemas stay alike.)

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER deals_crm_id_insert AFTER INSERT ON deals
  WHEN (NEW.crm_id <> '' OR instr(NEW.body, '"crm_id":') > 0)
   AND instr(NEW.body, '"crm_id":"' || NEW.crm_id || '"') = 0
   AND NEW.crm_id IS NOT COALESCE(json_extract(NEW.body, '$.crm_id'), '')
BEGIN
  UPDATE deals SET crm_id = COALESCE(json_extract(NEW.body, '$.crm_id'), '') WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER deals_crm_id_update AFTER UPDATE OF body, crm_id ON deals
  WHEN (NEW.crm_id <> '' OR instr(NEW.body, '"crm_id":') > 0)
   AND instr(NEW.body, '"crm_id":"' || NEW.crm_id || '"') = 0
   AND NEW.crm_id IS NOT COALESCE(json_extract(NEW.body, '$.crm_id'), '')
BEGIN
  UPDATE deals SET crm_id = COALESCE(json_extract(NEW.body, '$.crm_id'), '') WHERE id = NEW.id;
END;
-- +goose StatementEnd
UPDATE deals SET crm_id = COALESCE(json_extract(body, '$.crm_id'), '')
  WHERE crm_id IS NOT COALESCE(json_extract(body, '$.crm_id'), '');

-- +goose Down
DROP TRIGGER deals_crm_id_update;
DROP TRIGGER deals_crm_id_insert;
