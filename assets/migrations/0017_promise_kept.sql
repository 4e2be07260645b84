-- Why: a promise the rep kept must leave the customer's open promises yet stay in the
-- history. Cost: one nullable column on notes; only promises ever set it.
ALTER TABLE notes ADD COLUMN kept_at INTEGER;
