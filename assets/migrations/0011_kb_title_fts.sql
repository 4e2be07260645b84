-- Why: search ranks first the articles whose title or tags hold every word of the query.
-- Asking the article index that (`{title tags} : (…)`) expanded the word still being typed
-- over every article body once more: a third of a search for a long prefix ("deliver…"
-- over 20,000 articles). An index of titles and tags alone is a small fraction of the size,
-- and there the same question costs next to nothing. Not customer text (see store/erase.rs).
CREATE VIRTUAL TABLE kb_title_fts USING fts5(
    title, tags,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);
INSERT INTO kb_title_fts(kb_title_fts, rank) VALUES ('hashsize', 67108864);
CREATE TRIGGER kb_articles_title_ai AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_title_fts(rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;
CREATE TRIGGER kb_articles_title_ad AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_title_fts(kb_title_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
END;
CREATE TRIGGER kb_articles_title_au AFTER UPDATE ON kb_articles BEGIN
    INSERT INTO kb_title_fts(kb_title_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
    INSERT INTO kb_title_fts(rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;
INSERT INTO kb_title_fts(kb_title_fts) VALUES ('rebuild');
