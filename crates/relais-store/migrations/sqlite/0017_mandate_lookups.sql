-- Look-ups of the public verification page, counted per mandate and day.
-- A plain counter, not the hash-chained journal: anyone holding a code can
-- open the page, and that must not grow the journal.
CREATE TABLE mandate_lookups (
    mandate_id  BLOB NOT NULL REFERENCES mandates(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    count       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mandate_id, day)
);
