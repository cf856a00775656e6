-- Changes, or parts of changes, this version cannot merge: a table or columns added by a newer
-- version. The known columns of such a change are merged as usual; the whole change is kept here
-- as it arrived (JSON of zongwu_proto::Change) so a later version can apply the rest, and so an
-- old desktop never stops its pull at a change from a newer one.
CREATE TABLE parked_changes (
    change_id TEXT PRIMARY KEY,
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    unknown   TEXT NOT NULL, -- JSON array: the unknown table, or the unknown column names
    change    TEXT NOT NULL,
    parked_ms INTEGER NOT NULL
);
