-- Why: the first schema — customers with their identities, orders and billing; contacts with
-- an append-only event log; notes, drafts and the knowledge base with its full-text index.
-- Cost: creates empty tables only.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    company        TEXT,
    tier           TEXT,
    language       TEXT,
    timezone       TEXT,
    vip            INTEGER NOT NULL DEFAULT 0,
    fraud_watch    INTEGER NOT NULL DEFAULT 0,
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    pinned_note    TEXT,
    created_at     INTEGER NOT NULL
) STRICT;

-- One row per way of reaching a customer. `normalized` is what incoming contacts are
-- matched on (lower-cased email, digits-only phone, lower-cased handle).
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'handle')),
    value       TEXT NOT NULL,
    normalized  TEXT NOT NULL,
    UNIQUE (kind, normalized)
) STRICT;
-- Serves: the customer record's identity list.
CREATE INDEX identities_by_customer ON identities(customer_id);

CREATE TABLE orders (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    number       TEXT NOT NULL UNIQUE,
    placed_at    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    total_cents  INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    items        TEXT NOT NULL DEFAULT '',
    carrier      TEXT,
    tracking     TEXT
) STRICT;
-- Serves: the customer record's order list, newest first.
CREATE INDEX orders_by_customer ON orders(customer_id, placed_at DESC);

CREATE TABLE billing_events (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'credit', 'dispute')),
    amount_cents INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT ''
) STRICT;
-- Serves: the customer record's billing list with its running balance.
CREATE INDEX billing_by_customer ON billing_events(customer_id, at);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'chat', 'social', 'in_person')),
    direction    TEXT NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'on_hold', 'wrap_up',
                                                 'resolved', 'escalated', 'transferred')),
    priority     INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
    tags         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    ended_at     INTEGER,
    disposition  TEXT,
    escalated_to TEXT,
    csat         INTEGER CHECK (csat BETWEEN 1 AND 5)
) STRICT;
-- Serves: the queue (waiting contacts by priority, then oldest first); the index order
-- matches the ORDER BY so SQLite never sorts the whole table.
CREATE INDEX contacts_queue ON contacts(status, priority, created_at, id);
-- Serves: a customer's timeline, newest first.
CREATE INDEX contacts_by_customer ON contacts(customer_id, created_at DESC);
-- Serves: reports over contacts that ended in a window.
CREATE INDEX contacts_by_end ON contacts(ended_at);

-- Append-only: handle and hold times are derived from it, never kept as counters.
CREATE TABLE contact_events (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('create', 'accept', 'hold', 'resume', 'wrap_up',
                                             'transfer', 'escalate', 'resolve', 'reopen')),
    detail     TEXT
) STRICT;
-- Serves: replaying one contact's log.
CREATE INDEX contact_events_by_contact ON contact_events(contact_id, at);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'promise')),
    body        TEXT NOT NULL,
    due_at      INTEGER
) STRICT;
-- Serves: the notes listed under the editor for one contact.
CREATE INDEX notes_by_contact ON notes(contact_id, created_at);
-- Serves: a customer's notes and open promises.
CREATE INDEX notes_by_customer ON notes(customer_id, created_at);

-- The notes editor's unsaved text, one row per contact, rewritten while the rep types.
CREATE TABLE drafts (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE kb_articles (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    plain       TEXT NOT NULL,
    hash        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Full-text index over the articles (external content: the text lives once, in kb_articles).
-- porter + unicode61 without diacritics: stemming, case- and accent-insensitive.
-- prefix indexes make the word being typed cheap to expand.
CREATE VIRTUAL TABLE kb_fts USING fts5(
    title, tags, plain,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER kb_articles_ai AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_fts(rowid, title, tags, plain) VALUES (new.id, new.title, new.tags, new.plain);
END;
CREATE TRIGGER kb_articles_ad AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, tags, plain)
        VALUES ('delete', old.id, old.title, old.tags, old.plain);
END;
CREATE TRIGGER kb_articles_au AFTER UPDATE ON kb_articles BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, tags, plain)
        VALUES ('delete', old.id, old.title, old.tags, old.plain);
    INSERT INTO kb_fts(rowid, title, tags, plain) VALUES (new.id, new.title, new.tags, new.plain);
END;
