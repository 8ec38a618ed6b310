-- Every committed change to a deal is announced on the channel
-- "cosellbot_deals:SCHEMA" (the schema of the deals table, so that
-- databases sharing a server or a database do not hear each other) with the
-- deal's id, so that each serve process can forget
-- the deal from its cache (store/dealcache.go): PostgreSQL delivers a
-- notification only when the transaction that sent it commits, whoever
-- wrote (another replica, the CLI, a hand-written UPDATE).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION cosellbot_deal_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('cosellbot_deals:' || TG_TABLE_SCHEMA, OLD.id::text);
  ELSE
    PERFORM pg_notify('cosellbot_deals:' || TG_TABLE_SCHEMA, NEW.id::text);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER deals_changed AFTER INSERT OR UPDATE OR DELETE ON deals
  FOR EACH ROW EXECUTE FUNCTION cosellbot_deal_changed();

-- +goose Down
DROP TRIGGER deals_changed ON deals;
DROP FUNCTION cosellbot_deal_changed();
