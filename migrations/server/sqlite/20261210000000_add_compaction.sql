-- Compaction of the change log (issue #8): the changes at or below the horizon (server_meta
-- 'compacted_through') keep only values that are still their row's; superseded ones, older
-- lives and dead rows' history are removed. A device's resend of a removed change must still be
-- recognised as a replay, so each device remembers the highest device_seq of its changes that
-- compaction removed: a resent change at or below it is taken as one of those.
ALTER TABLE device_cursors ADD COLUMN compacted_through BIGINT NOT NULL DEFAULT 0;
