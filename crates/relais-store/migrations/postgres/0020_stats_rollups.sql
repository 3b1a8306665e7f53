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
    structure_id   UUID NOT NULL REFERENCES structures(id),
    day            DATE NOT NULL,
    dim            TEXT NOT NULL,
    key            TEXT NOT NULL,
    requests       BIGINT NOT NULL DEFAULT 0,
    interventions  BIGINT NOT NULL DEFAULT 0,
    minutes        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (structure_id, day, dim, key)
);
CREATE INDEX stats_rollup_instance ON stats_rollup(day, dim, key);

-- The persons counted on a day (requests made or interventions given).
CREATE TABLE stats_person_days (
    structure_id  UUID NOT NULL REFERENCES structures(id),
    day           DATE NOT NULL,
    person_id     UUID NOT NULL,
    PRIMARY KEY (structure_id, day, person_id)
);
CREATE INDEX stats_person_days_instance ON stats_person_days(day, person_id);

-- The requests helped on a day in each mode,
-- and when they were made (a request counts once per mode over a period).
CREATE TABLE stats_mode_requests (
    structure_id     UUID NOT NULL REFERENCES structures(id),
    day              DATE NOT NULL,
    mode             TEXT NOT NULL,
    help_request_id  UUID NOT NULL,
    request_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (structure_id, day, mode, help_request_id)
);
CREATE INDEX stats_mode_requests_instance ON stats_mode_requests(day, mode, help_request_id);

CREATE TABLE stats_dirty (
    structure_id  UUID NOT NULL REFERENCES structures(id),
    day           DATE NOT NULL,
    PRIMARY KEY (structure_id, day)
);
CREATE INDEX stats_dirty_day ON stats_dirty(day);

-- Every day that already has activity is to be built. A Paris day is the
-- UTC date or the one after, so both are marked (a day with nothing
-- builds to no rows).
INSERT INTO stats_dirty (structure_id, day)
    SELECT structure_id, (created_at AT TIME ZONE 'UTC')::date FROM help_requests
    UNION SELECT structure_id, (created_at AT TIME ZONE 'UTC')::date + 1 FROM help_requests
    UNION SELECT structure_id, (occurred_at AT TIME ZONE 'UTC')::date FROM interventions
    UNION SELECT structure_id, (occurred_at AT TIME ZONE 'UTC')::date + 1 FROM interventions
    ON CONFLICT DO NOTHING;
