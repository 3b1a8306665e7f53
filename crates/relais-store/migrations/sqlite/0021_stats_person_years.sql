-- The days of a year each person was counted on (see stats_person_days),
-- as bits: day of the year n (0 for 1 January) is bit n % 63 of word
-- w(n / 63). The distinct persons of a period are then the rows whose
-- bits meet the period's, one row per person and year, instead of a
-- distinct count over every person-day. 63 bits per word keep every
-- value positive on both engines.
CREATE TABLE stats_person_years (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    year          INTEGER NOT NULL,
    person_id     BLOB NOT NULL,
    w0            INTEGER NOT NULL DEFAULT 0,
    w1            INTEGER NOT NULL DEFAULT 0,
    w2            INTEGER NOT NULL DEFAULT 0,
    w3            INTEGER NOT NULL DEFAULT 0,
    w4            INTEGER NOT NULL DEFAULT 0,
    w5            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (structure_id, year, person_id)
) WITHOUT ROWID;
CREATE INDEX stats_person_years_instance ON stats_person_years(year);

-- The whole instance's roll-ups of a period are read by dimension and
-- day, from the index alone (the first index read every row of the
-- period, all dimensions, and then the table: 0.45 s for a year at
-- département size on SQLite).
DROP INDEX stats_rollup_instance;
CREATE INDEX stats_rollup_instance
    ON stats_rollup(dim, day, key, requests, interventions, minutes);

-- Filled as the server rebuilds days: every day already rolled up is
-- marked again.
INSERT OR IGNORE INTO stats_dirty (structure_id, day)
    SELECT DISTINCT structure_id, day FROM stats_person_days;
