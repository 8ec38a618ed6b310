-- Reminders, expiry, CPOR claims and the outbox (issue 5). The PostgreSQL
-- twin of this file explains each table; the columns are the same.
--
-- audit_events also records claims and subscriptions: SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with a subject_type
-- check that only refuses an empty type.

-- +goose Up
CREATE TABLE outbox (
    id              INTEGER  PRIMARY KEY AUTOINCREMENT,
    dedup_key       TEXT     NOT NULL CHECK (dedup_key <> ''),
    platform        TEXT     NOT NULL CHECK (platform <> ''),
    channel         TEXT     NOT NULL,
    subject         TEXT     NOT NULL,
    kind            TEXT     NOT NULL,
    payload         TEXT     NOT NULL,
    state           TEXT     NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    lease_until     DATETIME,
    last_error      TEXT     NOT NULL DEFAULT '',
    ref             TEXT     NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME
);
CREATE UNIQUE INDEX outbox_dedup_key ON outbox (dedup_key);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';

CREATE TABLE threads (
    platform   TEXT     NOT NULL,
    channel    TEXT     NOT NULL,
    subject    TEXT     NOT NULL,
    ref        TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (platform, channel, subject)
);

CREATE TABLE reminders (
    id       INTEGER  PRIMARY KEY AUTOINCREMENT,
    subject  TEXT     NOT NULL CHECK (subject <> ''),
    kind     TEXT     NOT NULL CHECK (kind <> ''),
    due_at   DATETIME NOT NULL,
    state    TEXT     NOT NULL CHECK (state IN ('planned', 'fired', 'skipped')),
    fired_at DATETIME
);
CREATE UNIQUE INDEX reminders_key ON reminders (subject, kind, due_at);
CREATE INDEX reminders_planned ON reminders (due_at) WHERE state = 'planned';

CREATE TABLE snoozes (
    subject    TEXT     PRIMARY KEY NOT NULL CHECK (subject <> ''),
    until      DATETIME NOT NULL,
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE subscriptions (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT,
    platform   TEXT     NOT NULL CHECK (platform <> ''),
    channel    TEXT     NOT NULL,
    location   TEXT     NOT NULL,
    kind       TEXT     NOT NULL,
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX subscriptions_key ON subscriptions (platform, channel, location, kind);

CREATE TABLE cpor_claims (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    version      INTEGER  NOT NULL CHECK (version > 0),
    tenant_id    TEXT     NOT NULL CHECK (tenant_id <> ''),
    country      TEXT     NOT NULL CHECK (country <> ''),
    engagement   TEXT     NOT NULL CHECK (engagement <> ''),
    workload     TEXT     NOT NULL,
    subscription TEXT     NOT NULL,
    status       TEXT     NOT NULL,
    notes        TEXT     NOT NULL,
    reason       TEXT     NOT NULL,
    created_by   TEXT     NOT NULL,
    notified_at  DATETIME,
    official_at  DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX cpor_claims_status_official_at ON cpor_claims (status, official_at);
CREATE INDEX cpor_claims_tenant_id ON cpor_claims (tenant_id);

CREATE TABLE audit_events_new (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    at           DATETIME NOT NULL,
    actor        TEXT     NOT NULL CHECK (actor <> ''),
    subject_type TEXT     NOT NULL CHECK (subject_type <> ''),
    subject_id   TEXT     NOT NULL CHECK (subject_id <> ''),
    action       TEXT     NOT NULL CHECK (action <> ''),
    detail       TEXT     NOT NULL
);
INSERT INTO audit_events_new (id, at, actor, subject_type, subject_id, action, detail)
    SELECT id, at, actor, subject_type, subject_id, action, detail FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, id);

-- +goose Down
CREATE TABLE audit_events_old (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    at           DATETIME NOT NULL,
    actor        TEXT     NOT NULL CHECK (actor <> ''),
    subject_type TEXT     NOT NULL CHECK (subject_type IN ('deal', 'solution', 'user')),
    subject_id   TEXT     NOT NULL CHECK (subject_id <> ''),
    action       TEXT     NOT NULL CHECK (action <> ''),
    detail       TEXT     NOT NULL
);
INSERT INTO audit_events_old (id, at, actor, subject_type, subject_id, action, detail)
    SELECT id, at, actor, subject_type, subject_id, action, detail FROM audit_events
    WHERE subject_type IN ('deal', 'solution', 'user');
DROP TABLE audit_events;
ALTER TABLE audit_events_old RENAME TO audit_events;
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, id);
DROP TABLE cpor_claims;
DROP TABLE subscriptions;
DROP TABLE snoozes;
DROP TABLE reminders;
DROP TABLE threads;
DROP TABLE outbox;
