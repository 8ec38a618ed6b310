-- The pipeline page (issue 17): the key that signs one-time sign-in links,
-- the links themselves (single use, stored by the hash of their id), and the
-- sessions they open (stored by the hash of the cookie).

-- +goose Up
CREATE TABLE web_keys (
    name       TEXT     PRIMARY KEY CHECK (name <> ''),
    secret     TEXT     NOT NULL CHECK (length(secret) >= 64),
    created_at DATETIME NOT NULL
);

CREATE TABLE web_links (
    id_hash    TEXT     PRIMARY KEY CHECK (id_hash <> ''),
    user_id    TEXT     NOT NULL CHECK (user_id <> ''),
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX web_links_expires_at ON web_links (expires_at);

CREATE TABLE web_sessions (
    id_hash    TEXT     PRIMARY KEY CHECK (id_hash <> ''),
    user_id    TEXT     NOT NULL CHECK (user_id <> ''),
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

-- +goose Down
DROP TABLE web_sessions;
DROP TABLE web_links;
DROP TABLE web_keys;
