-- Why: an email reply being written is as precious as a note; it autosaves like the notes
-- draft, one row per contact, and is removed when the reply is sent.
-- Cost: one small table.

CREATE TABLE reply_drafts (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
