-- An answer its asker said was not what they asked ("Not what I asked",
-- the button under every FAQ answer) is a miss too, kept with the entry
-- that answered: wrong_entry, '' for a question nobody answered. faq
-- misses lists it so that an admin teaches the right entry.

-- +goose Up
ALTER TABLE faq_misses ADD COLUMN wrong_entry TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE faq_misses DROP COLUMN wrong_entry;
