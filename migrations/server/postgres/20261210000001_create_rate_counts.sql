-- Rate-limited events every server instance sees (PostgreSQL only: SQLite serves one instance,
-- which counts in memory): failed logins per account and per address (bucket 'login'), public
-- requests per student number and per address ('public'). See src/db/rate_counts.rs.
--
-- A sliding window kept as counts per slot, a 60th of the window each (slot = its start, ms):
-- a check reads at most 61 rows per key however busy the key, and an event counts for its
-- window and at most one slot longer, never shorter. Expired slots no longer count; instances
-- delete them now and then.
--
-- UNLOGGED: no WAL, so counting a request costs no disk flush; a crash of PostgreSQL (not a
-- clean restart) or a failover to a standby forgets the counts, as a restart of a SQLite server
-- forgets its in-memory ones.
CREATE UNLOGGED TABLE rate_counts (
    bucket TEXT   NOT NULL,
    key    TEXT   NOT NULL,
    slot   BIGINT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (bucket, key, slot)
);

-- Admit one request if every key has fewer than its limit of events in the window ending at
-- p_now_ms, and count it against every key: all or nothing, in one round trip. The advisory
-- locks (one per bucket and key, taken in one global order so two callers cannot deadlock) are
-- held until the calling statement's transaction ends, so concurrent admits of a key, from any
-- instance, run one after the other; each statement below sees every count committed before it
-- (a VOLATILE function takes a fresh snapshot per statement under READ COMMITTED).
CREATE FUNCTION rate_admit(
    p_bucket TEXT, p_keys TEXT[], p_limits BIGINT[], p_now_ms BIGINT, p_window_ms BIGINT, p_slot_ms BIGINT
) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    h INTEGER;
BEGIN
    -- Losing the last moments of counts to a crash is fine (the table forgets them anyway), so
    -- do not wait for the commit to reach the disk.
    PERFORM set_config('synchronous_commit', 'off', true);
    FOR h IN SELECT DISTINCT hashtext(k) FROM unnest(p_keys) AS k ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(hashtext(p_bucket), h);
    END LOOP;
    IF EXISTS (
        SELECT 1 FROM unnest(p_keys, p_limits) AS l (key, lim)
        WHERE (SELECT COALESCE(sum(c.events), 0) FROM rate_counts c
               WHERE c.bucket = p_bucket AND c.key = l.key
                 AND c.slot > p_now_ms - p_window_ms - p_slot_ms) >= l.lim
    ) THEN
        RETURN FALSE;
    END IF;
    INSERT INTO rate_counts (bucket, key, slot, events)
    SELECT p_bucket, k, p_now_ms - p_now_ms % p_slot_ms, count(*) FROM unnest(p_keys) AS k GROUP BY k
    ON CONFLICT (bucket, key, slot) DO UPDATE SET events = rate_counts.events + excluded.events;
    RETURN TRUE;
END
$$;
