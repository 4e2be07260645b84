-- Why: team mode (the team's help desk is the engine). The workspace keeps which contact
-- stands for which help-desk ticket (with the ticket's owner, status and queue as last
-- seen), and a journal of the rep's actions still to reach the help desk, written in the
-- same transaction as the local change and replayed in order, each at most once.
-- Cost: two small tables and one index; nothing is written without a [team] table.

CREATE TABLE team_tickets (
    backend    TEXT NOT NULL,
    ticket     TEXT NOT NULL,
    contact_id INTEGER NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
    queue      TEXT NOT NULL DEFAULT '',
    -- '' while nobody owns the ticket.
    owner      TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT '',
    requestor  TEXT NOT NULL DEFAULT '',
    -- The newest help-desk transaction already applied to the contact (no message twice).
    last_txn   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (backend, ticket)
) STRICT;

CREATE TABLE team_journal (
    id          INTEGER PRIMARY KEY,
    backend     TEXT NOT NULL,
    ticket      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('correspond', 'comment', 'status', 'queue')),
    -- The reply or comment text, the new status, or the new queue's name.
    body        TEXT NOT NULL,
    -- Idempotency marker: a stable hash of kind and body. Before an action whose answer was
    -- lost is sent again, the ticket's history is searched for a transaction with it.
    marker      TEXT NOT NULL,
    -- The sync position when the action was journaled: the help desk's transaction for it,
    -- if there is one, is newer than this.
    after_txn   INTEGER NOT NULL,
    -- pending: not sent yet; sending: sent, answer not seen (check history before a retry);
    -- done: confirmed; refused: the help desk said no; draft: a reply kept back as a draft.
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'done', 'refused', 'draft')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    -- The help desk's transaction that carried the action, once known.
    done_txn    INTEGER,
    outcome     TEXT
) STRICT;
-- Serves: the replay (actions still to send, in order) and the pending count.
CREATE INDEX team_journal_open ON team_journal(state, id);
