-- Facts about this server database. 'epoch' is random per database: a desktop's pull cursor is
-- valid only with the epoch it came from, so a replaced database (new server, SQLite moved to
-- PostgreSQL) sends every desktop back to re-bootstrap. After restoring an older backup, delete
-- the row so a new epoch is drawn.
CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
