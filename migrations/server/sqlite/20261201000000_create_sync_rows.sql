-- The server owns the truth (issue #7): every synced row as the merge of every accepted change,
-- so each push is judged against the stored row (owner, status, who wrote it), not its claim.
-- columns: JSON object of the row's values, owner included; clocks: JSON object column → HLC.
CREATE TABLE sync_rows (
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    unit_id       TEXT,
    cl            BIGINT NOT NULL,
    columns       TEXT NOT NULL,
    clocks        TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tbl, row_id)
) WITHOUT ROWID;
-- WITHOUT ROWID: rows are looked up only by their key, so the key is the table (one B-tree to
-- write per row instead of two).

-- A change that moved a row out of a unit names that unit, so its officers' desktops learn that
-- the row left their scope.
ALTER TABLE changes ADD COLUMN left_unit_id TEXT;
-- Partial: almost no change moves a row, and `left_unit_id = $unit` implies NOT NULL.
CREATE INDEX changes_by_left_unit ON changes (left_unit_id, server_seq) WHERE left_unit_id IS NOT NULL;

-- Changes refused by the rule table: never stored as changes nor passed on, remembered so a
-- resend (a lost answer) is recognised and answered again with the same refusal.
CREATE TABLE refused_changes (
    change_id      TEXT PRIMARY KEY,
    device_id      TEXT NOT NULL,
    device_seq     BIGINT NOT NULL,
    tbl            TEXT NOT NULL,
    row_id         TEXT NOT NULL,
    code           TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL
);
