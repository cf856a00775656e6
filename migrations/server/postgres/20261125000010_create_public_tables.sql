-- The public freshman API and platform intake (PostgreSQL). Keep the logical schema equal to
-- ../sqlite. No phone or ID numbers anywhere in these tables: the public API can only leak
-- what the server holds.

-- Housing assignment plans as the office publishes them (issue #4 uploads them).
CREATE TABLE housing_plans (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    published       BIGINT NOT NULL DEFAULT 0,
    published_at_ms BIGINT,
    updated_at_ms   BIGINT NOT NULL
);

-- One student's bed in a plan. factor_hash is SHA-256 over a server pepper, the student number
-- and the second factor the office set (see src/public.rs for why not argon2).
CREATE TABLE plan_assignments (
    plan_id     TEXT NOT NULL REFERENCES housing_plans (id),
    student_no  TEXT NOT NULL,
    name        TEXT NOT NULL,
    college     TEXT NOT NULL,
    home_city   TEXT NOT NULL,
    campus      TEXT NOT NULL,
    building    TEXT NOT NULL,
    room        TEXT NOT NULL,
    bed         TEXT NOT NULL,
    factor_hash TEXT NOT NULL,
    PRIMARY KEY (plan_id, student_no)
);
CREATE INDEX plan_assignments_by_student ON plan_assignments (student_no);
CREATE INDEX plan_assignments_by_room ON plan_assignments (plan_id, campus, building, room);

-- A freshman's registered arrival; arrival_minute is minutes since 1970-01-01 in local time,
-- for the ±2 h companion window.
CREATE TABLE arrivals (
    student_no       TEXT PRIMARY KEY,
    arrival_date     TEXT NOT NULL,
    arrival_time     TEXT NOT NULL,
    arrival_minute   BIGINT NOT NULL,
    station          TEXT NOT NULL,
    travel_mode      TEXT NOT NULL,
    companions       BIGINT NOT NULL,
    registered_at_ms BIGINT NOT NULL
);
CREATE INDEX arrivals_by_station ON arrivals (station, arrival_minute);

-- Intake keys of the campus service platform(s); only the SHA-256 of a key is stored.
CREATE TABLE platform_keys (
    key_hash      TEXT PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    platform      TEXT NOT NULL,
    label         TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

-- Repair tickets, complaints and payments as the platforms send them, one row per platform
-- record: the platform's own record id is unique per platform and kind.
CREATE TABLE platform_records (
    id                 TEXT PRIMARY KEY,
    platform           TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('repair', 'complaint', 'payment')),
    platform_record_id TEXT NOT NULL,
    unit               TEXT,
    occurred_at        TEXT NOT NULL,
    payload            TEXT NOT NULL,
    received_at_ms     BIGINT NOT NULL,
    updated_at_ms      BIGINT NOT NULL,
    UNIQUE (platform, kind, platform_record_id)
);
CREATE INDEX platform_records_by_kind ON platform_records (kind, id);
