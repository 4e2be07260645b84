-- Why: the rep's shift — an append-only status log, the day's schedule blocks (for adherence), QA reviews with their per-criterion scores, kudos, and a "difficult" mark on contacts (for the breather prompt).
-- Cost: five small tables, four indexes and one new column with a default (no table rewrite).

-- Append-only: every change of the rep's state, never updated. The state at a time is the
-- latest row at or before it; before the first row the rep is offline.
CREATE TABLE rep_status (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    state  TEXT NOT NULL CHECK (state IN ('available', 'on_contact', 'after_contact_work', 'break', 'lunch',
                                          'training', 'meeting', 'offline')),
    source TEXT NOT NULL CHECK (source IN ('tui', 'cli', 'auto'))
) STRICT;
-- Serves: the current state (last row) and the log over a reporting window.
CREATE INDEX rep_status_by_time ON rep_status(at, id);

-- The schedule: activity blocks [start_at, end_at), kept free of overlaps by the store.
CREATE TABLE schedule_blocks (
    id       INTEGER PRIMARY KEY,
    start_at INTEGER NOT NULL,
    end_at   INTEGER NOT NULL CHECK (end_at > start_at),
    activity TEXT NOT NULL CHECK (activity IN ('work', 'break', 'lunch', 'training', 'meeting')),
    source   TEXT NOT NULL CHECK (source IN ('import', 'tui', 'cli'))
) STRICT;
-- Serves: the blocks of a day or reporting window, and the overlap check.
CREATE INDEX schedule_blocks_by_start ON schedule_blocks(start_at, end_at);

-- One review of one contact by one reviewer ('self' or a supervisor's name); the scorecard
-- itself is configuration, each score keeps the weight it was given at review time.
CREATE TABLE qa_reviews (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    reviewer   TEXT NOT NULL CHECK (trim(reviewer) <> ''),
    at         INTEGER NOT NULL,
    UNIQUE (contact_id, reviewer)
) STRICT;

CREATE TABLE qa_scores (
    review_id INTEGER NOT NULL REFERENCES qa_reviews(id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    weight    REAL NOT NULL CHECK (weight > 0),
    -- 1 met, 0 missed, NULL not applicable.
    met       INTEGER CHECK (met IN (0, 1)),
    PRIMARY KEY (review_id, criterion)
) STRICT;

-- Customers' thank-you messages. Erasing a customer deletes theirs (customer_id is filled
-- from the contact when one is given).
CREATE TABLE kudos (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    text        TEXT NOT NULL CHECK (trim(text) <> '')
) STRICT;
-- Serves: the cascade when a customer is erased.
CREATE INDEX kudos_by_customer ON kudos(customer_id);
-- Serves: the kudos view, newest first.
CREATE INDEX kudos_by_time ON kudos(at);

-- Marked at wrap-up when a contact was abusive or distressing.
ALTER TABLE contacts ADD COLUMN difficult INTEGER NOT NULL DEFAULT 0 CHECK (difficult IN (0, 1));
