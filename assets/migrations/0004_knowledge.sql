-- Why: knowledge at the speed of speech — canned snippets (searchable by any word), bulletins
-- (incidents and policy updates with a validity window and a read mark), guided scripts with
-- the steps ticked per contact, and the original address of imported articles.
-- Cost: four small tables, one full-text index over snippets and one new nullable column.

CREATE TABLE snippets (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL UNIQUE CHECK (trim(title) <> ''),
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Full-text index over the snippets (external content, like kb_fts): a rep finds a snippet
-- by any word of its title or body, stemmed, case- and accent-insensitive, while typing.
CREATE VIRTUAL TABLE snippets_fts USING fts5(
    title, body,
    content = 'snippets', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER snippets_ai AFTER INSERT ON snippets BEGIN
    INSERT INTO snippets_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER snippets_ad AFTER DELETE ON snippets BEGIN
    INSERT INTO snippets_fts(snippets_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER snippets_au AFTER UPDATE ON snippets BEGIN
    INSERT INTO snippets_fts(snippets_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO snippets_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- Incidents and policy updates. `keywords` is a JSON array of words or phrases that link an
-- incident to the contacts it explains. A bulletin is identified by its title and start, so
-- re-importing a file updates it instead of adding a copy.
CREATE TABLE bulletins (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('incident', 'policy')),
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER,
    keywords   TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    UNIQUE (title, starts_at)
) STRICT;
-- Serves: the active bulletins at the start of a shift (started, not ended), newest first.
CREATE INDEX bulletins_by_start ON bulletins(starts_at);

-- Guided checklists. `steps` is a JSON array of {"text", "required"}; `keywords` a JSON
-- array used to suggest a script for a contact.
CREATE TABLE scripts (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
    steps    TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- The steps a rep ticked on a contact (the primary key serves "ticks of one contact").
CREATE TABLE script_ticks (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    script_id  INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (contact_id, script_id, step)
) STRICT, WITHOUT ROWID;
-- Serves: the cascade when a script is deleted.
CREATE INDEX script_ticks_by_script ON script_ticks(script_id);

-- Where an imported article lives on the help centre (front matter url / permalink /
-- canonical_url), so the rep can paste a link.
ALTER TABLE kb_articles ADD COLUMN url TEXT;
