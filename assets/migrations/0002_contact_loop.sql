-- Why: the contact loop — follow-ups that come due back into the queue, and promises and
-- follow-ups closed when kept. Cost: one small table and two indexes.

CREATE TABLE follow_ups (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    due_at      INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
) STRICT;
-- Serves: due follow-ups at the top of the queue.
CREATE INDEX follow_ups_due ON follow_ups(done_at, due_at);
-- Serves: a customer's open follow-ups on the record.
CREATE INDEX follow_ups_by_customer ON follow_ups(customer_id, due_at);

-- Serves: the active-contacts strip and the status filters of the queue (active, on hold,
-- escalated, resolved today) ordered by most recent activity.
CREATE INDEX contacts_by_status_recent ON contacts(status, created_at DESC);
