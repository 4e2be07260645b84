-- Why: search-as-you-type expands the word being typed; prefixes of four letters ("ship",
-- "trac") over tens of thousands of articles were the slow tail of KB search (p99 just over
-- the 5 ms budget). A 4-character prefix index turns them into lookups.
-- Cost: the KB index grows by about a third; it is rebuilt once, here.
DROP TABLE kb_fts;
CREATE VIRTUAL TABLE kb_fts USING fts5(
    title, tags, plain,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);
INSERT INTO kb_fts(kb_fts) VALUES ('rebuild');
