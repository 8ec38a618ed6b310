-- FAQ entries added or overridden by admins from chat (they win over the
-- shipped knowledge base by id), and the questions nobody could answer, so
-- the base grows from real use.

-- +goose Up
CREATE TABLE faq_entries (
    id         TEXT     PRIMARY KEY CHECK (id <> ''),
    body       TEXT     NOT NULL,
    removed    BOOLEAN  NOT NULL DEFAULT FALSE,
    updated_at DATETIME NOT NULL,
    updated_by TEXT     NOT NULL CHECK (updated_by <> '')
);

CREATE TABLE faq_misses (
    id       INTEGER  PRIMARY KEY AUTOINCREMENT,
    question TEXT     NOT NULL CHECK (question <> ''),
    lang     TEXT     NOT NULL,
    actor    TEXT     NOT NULL,
    at       DATETIME NOT NULL
);
CREATE INDEX faq_misses_at ON faq_misses (at);

-- +goose Down
DROP TABLE faq_misses;
DROP TABLE faq_entries;
