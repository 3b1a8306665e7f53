-- Statistics roll-ups: the stats API's figures of each structure and
-- closed (Paris) day, built from the desk's rows by the server, so that a
-- year is read from a few thousand rows instead of recounted.
--
-- `stats_dirty` lists the days whose roll-up is missing or stale: every
-- write that changes what a day counts marks it in its own transaction,
-- and the rebuild clears the mark in the transaction that rewrites the
-- day. A day that is marked (or today) is always counted from the desk's
-- rows, so the figures never depend on the rebuild having run.
CREATE TABLE stats_rollup (
    structure_id   BLOB NOT NULL REFERENCES structures(id),
    day            TEXT NOT NULL,
    dim            TEXT NOT NULL,
    key            TEXT NOT NULL,
    requests       INTEGER NOT NULL DEFAULT 0,
    interventions  INTEGER NOT NULL DEFAULT 0,
    minutes        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (structure_id, day, dim, key)
) WITHOUT ROWID;
CREATE INDEX stats_rollup_instance ON stats_rollup(day, dim, key);

-- The persons counted on a day (requests made or interventions given).
CREATE TABLE stats_person_days (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    day           TEXT NOT NULL,
    person_id     BLOB NOT NULL,
    PRIMARY KEY (structure_id, day, person_id)
) WITHOUT ROWID;
CREATE INDEX stats_person_days_instance ON stats_person_days(day, person_id);

-- The requests helped on a day in each mode,
-- and when they were made (a request counts once per mode over a period).
CREATE TABLE stats_mode_requests (
    structure_id     BLOB NOT NULL REFERENCES structures(id),
    day              TEXT NOT NULL,
    mode             TEXT NOT NULL,
    help_request_id  BLOB NOT NULL,
    request_at       TEXT NOT NULL,
    PRIMARY KEY (structure_id, day, mode, help_request_id)
) WITHOUT ROWID;
CREATE INDEX stats_mode_requests_instance ON stats_mode_requests(day, mode, help_request_id);

CREATE TABLE stats_dirty (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    day           TEXT NOT NULL,
    PRIMARY KEY (structure_id, day)
) WITHOUT ROWID;
CREATE INDEX stats_dirty_day ON stats_dirty(day);

-- Every day that already has activity is to be built. A Paris day is the
-- UTC date or the one after, so both are marked (a day with nothing
-- builds to no rows).
INSERT OR IGNORE INTO stats_dirty (structure_id, day)
    SELECT DISTINCT structure_id, date(created_at) FROM help_requests;
INSERT OR IGNORE INTO stats_dirty (structure_id, day)
    SELECT DISTINCT structure_id, date(created_at, '+1 day') FROM help_requests;
INSERT OR IGNORE INTO stats_dirty (structure_id, day)
    SELECT DISTINCT structure_id, date(occurred_at) FROM interventions;
INSERT OR IGNORE INTO stats_dirty (structure_id, day)
    SELECT DISTINCT structure_id, date(occurred_at, '+1 day') FROM interventions;
