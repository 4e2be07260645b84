-- Why: mail is threaded as mail clients thread it (the JWZ rules of mutt and notmuch): two
-- replies whose References name the same parent belong together even when that parent is
-- not in the Maildir (it went out from somewhere else, or sits in another folder). Each id
-- a stored message names — its own, its In-Reply-To, its References — points at its contact.
-- And a message joins a contact only when its sender is that contact's customer: anyone
-- else who writes into the thread gets a contact of their own, linked to the conversation.
-- Cost: one row per id named (a handful per message), one row per email contact.

CREATE TABLE message_thread_ids (
    ref_id     TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (ref_id, contact_id)
) WITHOUT ROWID, STRICT;
-- Serves: the cascade when a contact is deleted.
CREATE INDEX message_thread_ids_by_contact ON message_thread_ids(contact_id);

-- What intake knows about an email contact, beyond its messages.
CREATE TABLE email_contacts (
    contact_id   INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    -- The conversation it belongs to: the id of the conversation's first contact (itself
    -- when it started one). Contacts of other senders in the same thread share it.
    conversation INTEGER NOT NULL,
    -- The contact whose thread this one's first message replied in, when its sender was
    -- not that contact's customer ("replies in the thread of #12").
    replies_in   INTEGER,
    -- The recipients (To, then Cc) of the contact's FIRST message, each one valid address,
    -- separated by single spaces: where the customer wrote to. Later messages never change it.
    wrote_to     TEXT NOT NULL DEFAULT '',
    -- Why the contact cannot be answered by email (its sender has no valid address); NULL
    -- when it can.
    no_reply     TEXT,
    -- Anything else intake noticed, for the rep (a reused Message-ID).
    notice       TEXT
) STRICT;
CREATE INDEX email_contacts_by_conversation ON email_contacts(conversation);

-- The mail stored before: every id each message names, and one row per contact.
WITH RECURSIVE split(contact_id, rest, id) AS (
    SELECT contact_id, refs || ' ', NULL FROM contact_messages
    UNION ALL
    SELECT contact_id, substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1)
      FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO message_thread_ids(ref_id, contact_id)
SELECT id, contact_id FROM split WHERE id IS NOT NULL AND id <> ''
UNION SELECT message_id, contact_id FROM contact_messages
UNION SELECT in_reply_to, contact_id FROM contact_messages WHERE in_reply_to IS NOT NULL;

INSERT INTO email_contacts(contact_id, conversation, wrote_to)
SELECT m.contact_id, m.contact_id,
       (SELECT f.to_addr FROM contact_messages f WHERE f.contact_id = m.contact_id ORDER BY f.sent_at, f.id LIMIT 1)
  FROM contact_messages m GROUP BY m.contact_id;

-- Forgetting a customer blanks their contacts' text; the reason kept for a contact that
-- cannot be answered quotes the sender's header, so it goes too.
CREATE TRIGGER email_contacts_erased AFTER UPDATE OF body ON contacts
WHEN new.body = '[erased]' AND old.body IS NOT '[erased]'
BEGIN
    UPDATE email_contacts SET no_reply = '[erased]' WHERE contact_id = new.id AND no_reply IS NOT NULL;
END;
