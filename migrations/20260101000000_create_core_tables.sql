-- Desktop store. Every synced table carries: id (UUIDv7 text), its domain columns, unit_id (the
-- sync scope key), cl (causal length: odd = exists, even = deleted), deleted (cl is even, kept as
-- a column for plain queries), updated_hlc (JSON object: column -> HLC of its last write).
-- Every NOT NULL domain column has a default, so a row can be created from any subset of its
-- columns (a re-insert after a delete starts a fresh row; see store/merge.rs).
-- Uniqueness rules (unit code, staff number) live in the core, not in constraints: a merge from
-- another replica must never fail on them.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every write, local or merged from a peer, in order. Local rows with pushed = 0 are the outbox.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    device_id  TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    tbl        TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    unit_id    TEXT,
    hlc        TEXT NOT NULL,
    cl         INTEGER NOT NULL,
    columns    TEXT NOT NULL,
    previous   TEXT NOT NULL DEFAULT '{}',
    actor_id   TEXT,
    actor_name TEXT,
    at_ms      INTEGER NOT NULL,
    reason     TEXT,
    origin     TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
    pushed     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX change_log_by_row ON change_log (tbl, row_id, seq);
CREATE INDEX change_log_outbox ON change_log (seq) WHERE origin = 'local' AND pushed = 0;

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX units_code ON units (code);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    login       TEXT,
    phone       TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE officers (
    id          TEXT PRIMARY KEY,
    staff_no    TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    gender      TEXT,
    title       TEXT,
    phone       TEXT,
    email       TEXT,
    term_start  TEXT,
    term_end    TEXT,
    duties      TEXT,
    status      TEXT NOT NULL DEFAULT 'active',
    retired_on  TEXT,
    note        TEXT,
    user_id     TEXT,
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX officers_staff_no ON officers (staff_no);
CREATE INDEX officers_unit ON officers (unit_id);

CREATE TABLE trainings (
    id          TEXT PRIMARY KEY,
    officer_id  TEXT NOT NULL DEFAULT '',
    date        TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    attended    INTEGER NOT NULL DEFAULT 1,
    hours       REAL,
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX trainings_officer ON trainings (officer_id);

CREATE TABLE needs (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    priority         TEXT NOT NULL DEFAULT '',
    expected_benefit TEXT NOT NULL DEFAULT '',
    attachments      TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL DEFAULT '',
    submitter_id     TEXT,
    submitter_name   TEXT,
    submitted_ms     INTEGER NOT NULL DEFAULT 0,
    unit_id          TEXT,
    cl               INTEGER NOT NULL DEFAULT 1,
    deleted          INTEGER NOT NULL DEFAULT 0,
    updated_hlc      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX needs_unit ON needs (unit_id);

CREATE TABLE need_transitions (
    id          TEXT PRIMARY KEY,
    need_id     TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    actor_id    TEXT,
    actor_name  TEXT,
    at_ms       INTEGER NOT NULL DEFAULT 0,
    comment     TEXT NOT NULL DEFAULT '',
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX need_transitions_need ON need_transitions (need_id);

CREATE TABLE need_reviews (
    id          TEXT PRIMARY KEY,
    need_id     TEXT NOT NULL DEFAULT '',
    expert_id   TEXT,
    expert_name TEXT,
    scores      TEXT NOT NULL DEFAULT '{}',
    total       REAL NOT NULL DEFAULT 0,
    comment     TEXT NOT NULL DEFAULT '',
    at_ms       INTEGER NOT NULL DEFAULT 0,
    unit_id     TEXT,
    cl          INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    updated_hlc TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX need_reviews_need ON need_reviews (need_id);
