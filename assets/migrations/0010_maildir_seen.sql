-- Why: a sync read every file of every Maildir again to find the new ones (the Message-ID
-- that tells is inside the file): on an archive of tens of thousands of messages, each new
-- mail cost gigabytes of reading on the worker that also saves the rep's notes. A Maildir
-- file keeps its unique name for life (a mail client only changes the flags after ":2,"
-- and moves it from new/ to cur/), so a name already taken in need not be read again.
-- Names hold a delivery time, process and host: nothing about the customer.
CREATE TABLE maildir_seen (
    folder TEXT NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (folder, name)
) WITHOUT ROWID, STRICT;
