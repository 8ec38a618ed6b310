-- The newest OAuth refresh token of a connection (Partner Center's): the
-- identity platform rotates it on every use, so every replica and every CLI
-- command must start from the one last answered, not from the configured
-- one, which stops working once it is old. configured is the SHA-256 of the
-- configured token it descends from: a token the operator configures anew
-- (after signing in again) wins over the stored chain. version makes a save
-- a compare-and-set, so that two replicas refreshing at once keep the newest.

-- +goose Up
CREATE TABLE refresh_tokens (
    name          TEXT        PRIMARY KEY CHECK (name <> ''),
    refresh_token TEXT        NOT NULL CHECK (refresh_token <> ''),
    configured    TEXT        NOT NULL CHECK (configured <> ''),
    version       INTEGER     NOT NULL CHECK (version > 0),
    updated_at    DATETIME    NOT NULL
);

-- +goose Down
DROP TABLE refresh_tokens;
