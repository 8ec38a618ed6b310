-- Chat platforms: which cosellbot user a Slack or Discord account is, and the
-- platform deliveries already handled (Slack event_id retries, replayed
-- signed requests, Discord interaction ids), so that none is handled twice;
-- and the command lines behind Discord buttons too long for a custom_id.

-- +goose Up
CREATE TABLE chat_identities (
    platform    text        NOT NULL CHECK (platform <> ''),
    external_id text        NOT NULL CHECK (external_id <> ''),
    user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_at   timestamptz NOT NULL,
    PRIMARY KEY (platform, external_id)
);
CREATE INDEX chat_identities_user_id ON chat_identities (user_id);

CREATE TABLE chat_events (
    platform text        NOT NULL CHECK (platform <> ''),
    event_id text        NOT NULL CHECK (event_id <> ''),
    seen_at  timestamptz NOT NULL,
    PRIMARY KEY (platform, event_id)
);
CREATE INDEX chat_events_seen_at ON chat_events (seen_at);

CREATE TABLE chat_actions (
    id         text        PRIMARY KEY CHECK (id <> ''),
    command    text        NOT NULL CHECK (command <> ''),
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE chat_actions;
DROP TABLE chat_events;
DROP TABLE chat_identities;
