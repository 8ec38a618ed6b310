-- deals.crm_id repeats the body's crm_id (00010), and cosellbot writes
-- both. A binary from before 00010 (0.8.0 and older) writes the body alone:
-- serving beside a newer one in a rolling upgrade (the migrations applied
-- first, then the pods replaced), the deals it made or gave a CRM ID had
-- it in their body only, so the newer replicas ignored their records'
-- events ("linked to no deal") and let a second deal take the ID (a
-- tester). The database now sets the column from the body on every write,
-- whoever writes, and this migration repairs the rows written before it.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION cosellbot_deal_crm_id() RETURNS trigger AS $$
BEGIN
  -- The body is parsed only when the two may differ: cosellbot's own
  -- writes agree (the ID as the body spells it, or no ID in either). A
  -- body PostgreSQL cannot parse (a \u0000 in some text, which jsonb
  -- refuses) keeps the column as written.
  IF position('"crm_id":' in NEW.body) = 0 THEN
    NEW.crm_id := '';
  ELSIF NEW.crm_id = '' OR position('"crm_id":"' || NEW.crm_id || '"' in NEW.body) = 0 THEN
    IF position('\u0000' in NEW.body) = 0 THEN
      NEW.crm_id := COALESCE(NEW.body::jsonb ->> 'crm_id', '');
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER deals_crm_id BEFORE INSERT OR UPDATE OF body, crm_id ON deals
  FOR EACH ROW EXECUTE FUNCTION cosellbot_deal_crm_id();
UPDATE deals SET crm_id = COALESCE(body::jsonb ->> 'crm_id', '')
  WHERE crm_id <> CASE WHEN position('\u0000' in body) = 0 THEN COALESCE(body::jsonb ->> 'crm_id', '') ELSE crm_id END;

-- +goose Down
DROP TRIGGER deals_crm_id ON deals;
DROP FUNCTION cosellbot_deal_crm_id();
