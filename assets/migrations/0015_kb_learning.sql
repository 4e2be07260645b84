-- Why: knowledge search learns from the reps. When a rep inserts or links an article while
-- working a contact, the words that led there are kept, so the next search in those words
-- (and the suggestions for a contact that says them) puts that article first, saying why
-- ("used for 'parcel never came' 4 times"). And a resolved contact's notes can become a
-- draft article, kept here until it is exported for the help centre.
-- Cost: three small tables; a use is one row per (words, article) plus one row per word.

-- One row per meaningful-word set (`key`: sorted, space-separated) and article. `query` is
-- the latest wording typed for it, shown in the explanation.
CREATE TABLE kb_uses (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    words      INTEGER NOT NULL CHECK (words > 0),
    article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    query      TEXT NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 1,
    last_used  INTEGER NOT NULL,
    UNIQUE (key, article_id)
) STRICT;
-- Serves: the cascade when an article is deleted.
CREATE INDEX kb_uses_by_article ON kb_uses(article_id);

-- The words of each use: a search finds the uses all of whose words it holds.
CREATE TABLE kb_use_words (
    word   TEXT NOT NULL,
    use_id INTEGER NOT NULL REFERENCES kb_uses(id) ON DELETE CASCADE,
    PRIMARY KEY (word, use_id)
) STRICT, WITHOUT ROWID;
-- Serves: the cascade when a use is deleted.
CREATE INDEX kb_use_words_by_use ON kb_use_words(use_id);

-- Draft articles written from a resolved contact's notes, edited in the workspace and
-- exported as Markdown with front matter (`draft: true`) for the help centre.
CREATE TABLE kb_drafts (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    tags       TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- Serves: "the draft already made from this contact".
CREATE INDEX kb_drafts_by_contact ON kb_drafts(contact_id);
