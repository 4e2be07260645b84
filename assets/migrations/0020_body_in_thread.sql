-- Why: a contact opened by an email kept the email's text twice, as the contact's body and
-- as the first message of its thread: half of a synced mailbox's workspace (77 + 79 MB of
-- 168 MB for 20,000 mails), and a third of a first sync's time spent writing it. Such a
-- contact now keeps the text on the message alone and reads it from there
-- (`store::contacts`, BODY); contacts written before keep their copy.
ALTER TABLE contacts ADD COLUMN body_in_thread INTEGER NOT NULL DEFAULT 0 CHECK (body_in_thread = 0 OR body_in_thread = 1);
