-- A structure's own view of the catalogue: its procedures, hidden entries
-- and local notes; the partner channels of each operator.

CREATE TABLE procedure_settings (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    procedure_id  TEXT NOT NULL,
    hidden        INTEGER NOT NULL DEFAULT 0,
    local_note    TEXT NOT NULL DEFAULT '',
    updated_by    BLOB REFERENCES agents(id),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (structure_id, procedure_id)
);

CREATE TABLE local_procedures (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    id            TEXT NOT NULL,
    title         TEXT NOT NULL,
    category      TEXT NOT NULL,
    operator      TEXT NOT NULL,
    link          TEXT NOT NULL DEFAULT '',
    documents     TEXT NOT NULL DEFAULT '',
    tips          TEXT NOT NULL DEFAULT '',
    updated_by    BLOB REFERENCES agents(id),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (structure_id, id)
);

CREATE TABLE operator_channels (
    structure_id    BLOB NOT NULL REFERENCES structures(id),
    operator_id     TEXT NOT NULL,
    partner_portal  TEXT NOT NULL DEFAULT '',
    pro_phone       TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    local_contact   TEXT NOT NULL DEFAULT '',
    answer_delay    TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    updated_by      BLOB REFERENCES agents(id),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (structure_id, operator_id)
);
