-- The sync server's tables (SQLite). Keep the logical schema equal to ../postgres.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'office', 'expert', 'officer')),
    unit_id       TEXT,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at_ms INTEGER NOT NULL
);

-- Only the SHA-256 of a token is stored.
CREATE TABLE tokens (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    device_id     TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
);

-- A device belongs to the first user that logged in with it.
CREATE TABLE devices (
    device_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    registered_at_ms INTEGER NOT NULL
);

-- The last device_seq accepted from each device (gap-free pushes).
CREATE TABLE device_cursors (
    device_id       TEXT PRIMARY KEY,
    last_device_seq INTEGER NOT NULL
);

-- Every accepted change; server_seq is the pull cursor.
CREATE TABLE changes (
    server_seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id      TEXT NOT NULL UNIQUE,
    device_id      TEXT NOT NULL,
    device_seq     INTEGER NOT NULL,
    tbl            TEXT NOT NULL,
    row_id         TEXT NOT NULL,
    unit_id        TEXT,
    hlc            TEXT NOT NULL,
    cl             INTEGER NOT NULL,
    columns        TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL
);
CREATE INDEX changes_by_unit ON changes (unit_id, server_seq);
