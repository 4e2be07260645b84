-- Why: a reply must go back the way its contact came. A contact that arrived through the
-- inbox folder is answered through the inbox's outbox (or `reply_command`), addressed with
-- the other system's conversation id (`external_id`) and the customer as that system named
-- them; nothing else in the contact row says it came that way.
-- Cost: one row per inbox contact, keyed by the contact (no extra index).

CREATE TABLE contact_origins (
    contact_id   INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    source       TEXT NOT NULL CHECK (source IN ('inbox')),
    -- The other system's conversation id, as its inbox file gave it.
    external_id  TEXT,
    -- The customer as the inbox file named them (an email, phone or handle).
    customer_key TEXT
) STRICT;

-- Forgetting a customer (store::erase) blanks their contacts' text to '[erased]': the key
-- that named them goes too, and so does the conversation id that leads back to them.
CREATE TRIGGER contact_origins_erased AFTER UPDATE OF body ON contacts
WHEN new.body = '[erased]' AND old.body IS NOT '[erased]'
BEGIN
    UPDATE contact_origins SET external_id = NULL, customer_key = NULL WHERE contact_id = new.id;
END;
