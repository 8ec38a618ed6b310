-- Sync links (issue 10): each outside record linked to a deal keeps a
-- shadow, the synced fields as last exchanged with that system and the
-- system's own time for each, so that incoming updates merge three ways and
-- outgoing writes send only what the system lacks. sync_work holds one row
-- per link whose system lacks something: leased by one syncer at a time, so
-- at most one write per link is in flight; gen is bumped by every change
-- that asks for the link again, so finishing an older write never drops a
-- newer request.
--
-- Poll cursors: see sync_cursors below.

-- +goose Up
ALTER TABLE external_sync ADD COLUMN shadow text NOT NULL DEFAULT '{}';

CREATE TABLE sync_work (
    system      text        NOT NULL CHECK (system <> ''),
    record_id   text        NOT NULL CHECK (record_id <> ''),
    gen         bigint      NOT NULL DEFAULT 1,
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    attempts    integer     NOT NULL DEFAULT 0,
    due_at      timestamptz NOT NULL,
    lease_until timestamptz,
    last_error  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (system, record_id)
);
CREATE INDEX sync_work_due ON sync_work (due_at) WHERE state = 'pending';

-- Where a poll of an outside system resumes: the newest modification it
-- applied (polls overlap it a little) and, mid-listing, the next page.
CREATE TABLE sync_cursors (
    name text NOT NULL PRIMARY KEY CHECK (name <> ''),
    at   timestamptz,
    next text NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE sync_cursors;
DROP TABLE sync_work;
ALTER TABLE external_sync DROP COLUMN shadow;
