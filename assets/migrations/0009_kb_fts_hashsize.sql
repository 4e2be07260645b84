-- Why: FTS5 flushes its in-memory index of pending terms to a new on-disk segment every
-- 1 MiB by default, and merges those segments as they pile up. Importing 100,000 articles
-- spent most of its index time in those merges (a full rebuild: 11.5 s at 1 MiB, 7.0 s at
-- 64 MiB). The hash only grows with what one transaction writes, so ordinary edits cost
-- nothing more; a large import may hold up to 64 MiB of pending terms before a flush.
INSERT INTO kb_fts(kb_fts, rank) VALUES ('hashsize', 67108864);
