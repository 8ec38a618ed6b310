-- Initial schema: deals, their audit trail, the partner's solution catalog and
-- the users cosellbot knows. Later migrations (00002_…) add the outbox, the
-- webhook inbox and reminders.
--
-- Time columns are declared DATETIME (DATE for close_date) so that the driver
-- (glebarez/go-sqlite) parses them back into time.Time. They are written as
-- text "2006-01-02 15:04:05.999999999+00:00", always in UTC, which keeps text
-- comparison in time order. Money is integer hundredths; booleans 0/1.
-- Keep this file and store/models.go in step: TestSchemaMatchesModels fails
-- when a model field has no column, or a column no model field.

-- +goose Up
CREATE TABLE deals (
    id                INTEGER  PRIMARY KEY AUTOINCREMENT,
    version           INTEGER  NOT NULL CHECK (version > 0),
    name              TEXT     NOT NULL,
    direction         TEXT     NOT NULL,
    kind              TEXT     NOT NULL,
    sale_type         TEXT     NOT NULL,
    status            TEXT     NOT NULL,
    stage             TEXT     NOT NULL,
    location          TEXT     NOT NULL,
    value             INTEGER  NOT NULL,
    currency          TEXT     NOT NULL,
    close_date        DATE,
    customer_name     TEXT     NOT NULL,
    customer_location TEXT     NOT NULL,
    external_id       TEXT,
    favorite          INTEGER  NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)),
    expires_at        DATETIME,
    decision_due      DATETIME,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    won_at            DATETIME,
    body              TEXT     NOT NULL
);
-- NULLs are distinct, so only known external ids must be unique.
CREATE UNIQUE INDEX deals_external_id ON deals (external_id);
CREATE INDEX deals_status_expires_at ON deals (status, expires_at);
CREATE INDEX deals_location ON deals (location);
CREATE INDEX deals_updated_at ON deals (updated_at);
CREATE INDEX deals_direction_status ON deals (direction, status);

CREATE TABLE audit_events (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    at           DATETIME NOT NULL,
    actor        TEXT     NOT NULL CHECK (actor <> ''),
    subject_type TEXT     NOT NULL CHECK (subject_type IN ('deal', 'solution', 'user')),
    subject_id   TEXT     NOT NULL CHECK (subject_id <> ''),
    action       TEXT     NOT NULL CHECK (action <> ''),
    detail       TEXT     NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, id);

CREATE TABLE solutions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL CHECK (name <> ''),
    name_key     TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    macc         INTEGER NOT NULL CHECK (macc IN (0, 1)),
    incentivized INTEGER NOT NULL CHECK (incentivized IN (0, 1))
);
-- name_key is the lower-cased name, computed in Go so that both dialects agree.
CREATE UNIQUE INDEX solutions_name_key ON solutions (name_key);

CREATE TABLE users (
    id        TEXT    PRIMARY KEY NOT NULL CHECK (id <> ''),
    roles     TEXT    NOT NULL,
    global    INTEGER NOT NULL CHECK (global IN (0, 1)),
    locations TEXT    NOT NULL
);

-- +goose Down
DROP TABLE users;
DROP TABLE solutions;
DROP TABLE audit_events;
DROP TABLE deals;
