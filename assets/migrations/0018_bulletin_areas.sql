-- Why: an incident in one area (a storm in the Northeast) must not be shown on contacts of
-- customers elsewhere. A bulletin can name the areas it concerns — regions, states, ZIP
-- prefixes, cities, tags or products — and then shows only where one of them appears.
-- Cost: one JSON text column; an empty list means everywhere, as before.
ALTER TABLE bulletins ADD COLUMN areas TEXT NOT NULL DEFAULT '[]';
