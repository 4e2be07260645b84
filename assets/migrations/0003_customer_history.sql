-- Why: every correction a rep makes to a customer (profile fields, flags, pinned note,
-- identities, merges) is kept with its time, so the record can be trusted and audited.
-- Cost: one small append-only table and one index; erasing a customer deletes its rows.

CREATE TABLE customer_history (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT
) STRICT;
-- Serves: one customer's history, newest first (and the cascade when a customer is deleted).
CREATE INDEX customer_history_by_customer ON customer_history(customer_id, at);
