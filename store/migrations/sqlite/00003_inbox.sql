-- Webhook inbox: every verified delivery from Partner Center or a CRM is
-- stored raw here and committed before the sender gets its 2xx, then
-- processed from here, so that no accepted delivery is lost. (source,
-- dedup_key) is unique: a redelivery is recognised and ignored.
--
-- external_sync remembers, per record of an outside system, the deal it is
-- linked to, the source's modification time last applied (an older update is
-- recorded as stale and not applied) and the last eTag (sent as If-Match).
-- Times are DATETIME written in UTC, as in 00001_init.sql.

-- +goose Up
CREATE TABLE inbox (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    source       TEXT     NOT NULL CHECK (source <> ''),
    dedup_key    TEXT     NOT NULL CHECK (dedup_key <> ''),
    headers      TEXT     NOT NULL,
    body         BLOB     NOT NULL,
    status       TEXT     NOT NULL CHECK (status IN ('received', 'processed', 'failed', 'ignored', 'stale')),
    error        TEXT     NOT NULL DEFAULT '',
    attempts     INTEGER  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    received_at  DATETIME NOT NULL,
    processed_at DATETIME,
    -- A replica processing the row holds it until then, so that replicas
    -- never apply one delivery twice; a crashed one's claim runs out.
    claimed_until DATETIME
);
CREATE UNIQUE INDEX inbox_source_dedup_key ON inbox (source, dedup_key);
CREATE INDEX inbox_status ON inbox (status, id);

CREATE TABLE external_sync (
    source      TEXT     NOT NULL CHECK (source <> ''),
    external_id TEXT     NOT NULL CHECK (external_id <> ''),
    deal_id     INTEGER,
    modified_at DATETIME,
    etag        TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (source, external_id)
);
CREATE INDEX external_sync_deal_id ON external_sync (deal_id);

-- +goose Down
DROP TABLE external_sync;
DROP TABLE inbox;
