-- Why: contacts that arrive by themselves — every email message read from a Maildir or sent
-- as a reply is kept with its Message-ID, In-Reply-To and References, so a customer's reply is
-- threaded onto the contact it answers and re-reading a folder never adds a message twice.
-- Cost: one table with a unique index (message_id), one index and one trigger.

CREATE TABLE contact_messages (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    -- Without angle brackets; a message that has none gets `fnv-…@frontline.hash`, a
    -- stable hash of its bytes, so it is still recognised when read again.
    message_id  TEXT NOT NULL UNIQUE,
    in_reply_to TEXT,
    -- The References header: message ids separated by single spaces, oldest first.
    refs        TEXT NOT NULL DEFAULT '',
    direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    sent_at     INTEGER NOT NULL,
    from_addr   TEXT NOT NULL DEFAULT '',
    to_addr     TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    -- The Maildir file a message was read from, or the outbox / sendmail command a reply went to.
    source      TEXT NOT NULL DEFAULT ''
) STRICT;
-- Serves: one contact's thread, oldest first (and the cascade when a contact is deleted).
-- Threading looks messages up by message_id, which the UNIQUE constraint's index serves.
CREATE INDEX contact_messages_by_contact ON contact_messages(contact_id, sent_at, id);

-- Forgetting a customer (store::erase) blanks their contacts' text to '[erased]'; the mail
-- kept for those contacts goes with it. The message ids stay as tombstones so that the
-- same mail, still sitting in a Maildir, is not read back in by the next sync.
CREATE TRIGGER contact_messages_erased AFTER UPDATE OF body ON contacts
WHEN new.body = '[erased]' AND old.body IS NOT '[erased]'
BEGIN
    UPDATE contact_messages
       SET in_reply_to = NULL, refs = '', from_addr = '', to_addr = '', subject = '[erased]',
           body = '[erased]', source = ''
     WHERE contact_id = new.id;
END;
