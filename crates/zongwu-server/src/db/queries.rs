//! The SQL both backends share, written once. `$n` placeholders work in SQLite and PostgreSQL;
//! every column is TEXT or a 64-bit integer on both sides, so the same Rust types decode.
//!
//! Each backend type provides three inherent methods the generated code calls:
//! `write_guard()` (an in-process writer lock, or none), `serialise_push(tx)` (the lock that
//! orders sequence-number assignment, or nothing when the writer lock already does) and
//! `shared_rate_counts(bucket, window_secs)` (the table rate limits count in, or none).

/// Ids per lookup (`IN (…)` or a join on the ids), far below both backends' parameter limits.
pub(crate) const INSERT_CHUNK: usize = 200;

/// Rows per multi-row write of a push. Small on purpose: measured through sqlx, a push's
/// writes cost more per row as statements grow (10,000 edits pushed to SQLite: 1.0 s with 200
/// rows per statement, 4.5 s with 1,000, 0.5 s with 50; PostgreSQL 0.9 s → 0.6 s with 50). The
/// lookups keep 200 ids: PostgreSQL pays per round trip there (1.3 s with 50).
pub(crate) const WRITE_CHUNK: usize = 50;

/// `($1, …, $cols), ($cols+1, …), …` for a multi-row INSERT of `rows` rows.
pub(crate) fn values_placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! impl_database {
    ($backend:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::db::Database for $backend {
            #[tracing::instrument(skip_all, fields(login = %user.login))]
            async fn create_user(&self, user: &$crate::db::NewUser, now_ms: i64) -> $crate::error::Result<$crate::db::User> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
                    .bind(&user.login)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err($crate::error::Error::Conflict(format!("login {} is taken", user.login)));
                }
                let id = uuid::Uuid::now_v7().to_string();
                sqlx::query(
                    "INSERT INTO users (id, login, name, role, unit_id, password_hash, active, created_at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
                )
                .bind(&id)
                .bind(&user.login)
                .bind(&user.name)
                .bind(user.role.as_str())
                .bind(&user.unit_id)
                .bind(&user.password_hash)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::db::User {
                    id,
                    login: user.login.clone(),
                    name: user.name.clone(),
                    role: user.role,
                    unit_id: user.unit_id.clone(),
                    active: true,
                })
            }

            async fn user_by_login(&self, login: &str) -> $crate::error::Result<Option<($crate::db::User, String)>> {
                let row = sqlx::query(
                    "SELECT id, login, name, role, unit_id, active, password_hash FROM users WHERE login = $1 AND active = 1",
                )
                .bind(login)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    use sqlx::Row;
                    Ok((user_from_row(&r)?, r.try_get::<String, _>("password_hash")?))
                })
                .transpose()
            }

            async fn list_users(&self) -> $crate::error::Result<Vec<$crate::db::User>> {
                let rows = sqlx::query("SELECT id, login, name, role, unit_id, active FROM users ORDER BY login")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(user_from_row).collect()
            }

            async fn epoch(&self) -> $crate::error::Result<String> {
                let _guard = self.write_guard().await;
                sqlx::query("INSERT INTO server_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING")
                    .bind($crate::auth::new_token()[..16].to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM server_meta WHERE key = 'epoch'").fetch_one(&self.pool).await?)
            }

            async fn renew_epoch(&self) -> $crate::error::Result<String> {
                let _guard = self.write_guard().await;
                let fresh = $crate::auth::new_token()[..16].to_string();
                sqlx::query(
                    "INSERT INTO server_meta (key, value) VALUES ('epoch', $1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(&fresh)
                .execute(&self.pool)
                .await?;
                Ok(fresh)
            }

            async fn user_by_id(&self, id: &str) -> $crate::error::Result<Option<$crate::db::User>> {
                let row = sqlx::query("SELECT id, login, name, role, unit_id, active FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn update_user(&self, user: &$crate::db::User, password_hash: Option<&str>) -> $crate::error::Result<()> {
                let _guard = self.write_guard().await;
                sqlx::query(
                    "UPDATE users SET name = $1, role = $2, unit_id = $3, active = $4,
                                      password_hash = COALESCE($5, password_hash)
                     WHERE id = $6",
                )
                .bind(&user.name)
                .bind(user.role.as_str())
                .bind(&user.unit_id)
                .bind(user.active as i64)
                .bind(password_hash)
                .bind(&user.id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_devices(&self) -> $crate::error::Result<Vec<$crate::db::Device>> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "SELECT d.device_id, d.user_id, u.login, d.registered_at_ms, c.last_device_seq
                     FROM devices d JOIN users u ON u.id = d.user_id
                     LEFT JOIN device_cursors c ON c.device_id = d.device_id
                     ORDER BY u.login, d.device_id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::db::Device {
                            device_id: r.try_get("device_id")?,
                            user_id: r.try_get("user_id")?,
                            login: r.try_get("login")?,
                            registered_at_ms: r.try_get("registered_at_ms")?,
                            last_device_seq: r.try_get("last_device_seq")?,
                        })
                    })
                    .collect()
            }

            async fn remove_device(&self, device_id: &str, now_ms: i64) -> $crate::error::Result<bool> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE tokens SET revoked_at_ms = $1 WHERE device_id = $2 AND revoked_at_ms IS NULL")
                    .bind(now_ms)
                    .bind(device_id)
                    .execute(&mut *tx)
                    .await?;
                let removed = sqlx::query("DELETE FROM devices WHERE device_id = $1").bind(device_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(removed.rows_affected() > 0)
            }

            async fn user_count(&self) -> $crate::error::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
            }

            async fn claim_device(&self, device_id: &str, user_id: &str, now_ms: i64) -> $crate::error::Result<String> {
                let _guard = self.write_guard().await;
                sqlx::query(
                    "INSERT INTO devices (device_id, user_id, registered_at_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (device_id) DO NOTHING",
                )
                .bind(device_id)
                .bind(user_id)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(sqlx::query_scalar("SELECT user_id FROM devices WHERE device_id = $1")
                    .bind(device_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn insert_token(
                &self,
                token_hash: &str,
                user_id: &str,
                device_id: &str,
                now_ms: i64,
                expires_at_ms: i64,
            ) -> $crate::error::Result<()> {
                let _guard = self.write_guard().await;
                sqlx::query(
                    "INSERT INTO tokens (token_hash, user_id, device_id, created_at_ms, expires_at_ms)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(user_id)
                .bind(device_id)
                .bind(now_ms)
                .bind(expires_at_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn token_user(
                &self,
                token_hash: &str,
                now_ms: i64,
            ) -> $crate::error::Result<Option<($crate::db::User, String)>> {
                let row = sqlx::query(
                    "SELECT u.id, u.login, u.name, u.role, u.unit_id, u.active, t.device_id
                     FROM tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = $1 AND t.revoked_at_ms IS NULL AND t.expires_at_ms > $2 AND u.active = 1",
                )
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    use sqlx::Row;
                    Ok((user_from_row(&r)?, r.try_get::<String, _>("device_id")?))
                })
                .transpose()
            }

            async fn revoke_token(&self, token_hash: &str, now_ms: i64) -> $crate::error::Result<()> {
                let _guard = self.write_guard().await;
                sqlx::query("UPDATE tokens SET revoked_at_ms = $1 WHERE token_hash = $2 AND revoked_at_ms IS NULL")
                    .bind(now_ms)
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(device_id, changes = changes.len()))]
            async fn push(
                &self,
                subject: zongwu_proto::rules::Subject<'_>,
                device_id: &str,
                changes: &[zongwu_proto::Change],
                now_ms: i64,
            ) -> $crate::error::Result<$crate::db::Pushed> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                Self::serialise_push(&mut tx).await?;
                // `floor`: the highest of this device's changes that compaction removed.
                let (stored, floor): (i64, i64) =
                    sqlx::query_as("SELECT last_device_seq, compacted_through FROM device_cursors WHERE device_id = $1")
                        .bind(device_id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .unwrap_or((0, 0));
                let mut last = stored;
                let mut sorted: Vec<&zongwu_proto::Change> = changes.iter().collect();
                sorted.sort_by_key(|c| c.device_seq);
                let mut fresh = Vec::with_capacity(sorted.len());
                let mut replayed = Vec::new();
                for c in sorted {
                    if c.device_seq <= last {
                        replayed.push(c);
                        continue;
                    }
                    if c.device_seq != last + 1 {
                        // Dropping the transaction rolls back whatever this push did so far.
                        return Err($crate::error::Error::SeqGap { expected: last + 1 });
                    }
                    fresh.push(c);
                    last = c.device_seq;
                }
                // A replay must be a change we hold or refused; a new change under an old number
                // means the device's log was rolled back, and skipping it would lose it silently.
                // A resent change that was refused before is answered with its refusal again
                // (the first answer may have been lost).
                // A replay at or below the compaction floor may be a change compaction removed:
                // it was received, so it is a replay (a rolled-back log that far back is not
                // told apart any more).
                let known = stored_ids(&mut tx, &replayed, true).await?;
                if let Some(c) = replayed.iter().find(|c| !known.contains_key(&c.change_id) && c.device_seq > floor) {
                    return Err($crate::error::Error::SeqReused { device_seq: c.device_seq });
                }
                let refused_before: Vec<(zongwu_proto::Change, zongwu_proto::rules::Refusal)> = replayed
                    .iter()
                    .filter_map(|c| {
                        let code = known.get(&c.change_id)?.as_deref().and_then(zongwu_proto::rules::RefusalCode::parse)?;
                        Some(((*c).clone(), zongwu_proto::rules::Refusal { code, detail: "refused before".into() }))
                    })
                    .collect();
                // A change id seen before (sent under another sequence number) is a no-op.
                let mut seen: std::collections::HashSet<String> = stored_ids(&mut tx, &fresh, false).await?.into_keys().collect();
                let fresh: Vec<&zongwu_proto::Change> = fresh.into_iter().filter(|c| seen.insert(c.change_id.clone())).collect();

                // The stored rows these changes touch, judged and merged in device order.
                let mut touched = fresh.clone();
                touched.extend(refused_before.iter().map(|(c, _)| c));
                let mut rows = load_rows(&mut tx, &touched).await?;
                let mut judged = $crate::db::rows::judge(subject, &fresh, &mut rows);
                let stored_refusals = judged.refused.len();

                for chunk in judged.accepted.chunks($crate::db::queries::WRITE_CHUNK) {
                    let sql = format!(
                        "INSERT INTO changes (change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns, received_at_ms, left_unit_id) VALUES {}",
                        $crate::db::queries::values_placeholders(chunk.len(), 11)
                    );
                    let mut q = sqlx::query(&sql);
                    for a in chunk {
                        let c = &a.change;
                        // A whole row carries its per-column clocks along.
                        let columns = $crate::db::rows::encode_columns(c)?;
                        q = q
                            .bind(&c.change_id)
                            .bind(&c.device_id)
                            .bind(c.device_seq)
                            .bind(&c.table)
                            .bind(&c.row_id)
                            .bind(&c.unit_id)
                            .bind(&c.hlc)
                            .bind(c.cl)
                            .bind(columns)
                            .bind(now_ms)
                            .bind(&a.left_unit_id);
                    }
                    q.execute(&mut *tx).await?;
                }
                for chunk in judged.refused[..stored_refusals].chunks($crate::db::queries::WRITE_CHUNK) {
                    let sql = format!(
                        "INSERT INTO refused_changes (change_id, device_id, device_seq, tbl, row_id, code, received_at_ms) VALUES {}",
                        $crate::db::queries::values_placeholders(chunk.len(), 7)
                    );
                    let mut q = sqlx::query(&sql);
                    for (c, r) in chunk {
                        q = q
                            .bind(&c.change_id)
                            .bind(&c.device_id)
                            .bind(c.device_seq)
                            .bind(&c.table)
                            .bind(&c.row_id)
                            .bind(r.code.as_str())
                            .bind(now_ms);
                    }
                    q.execute(&mut *tx).await?;
                }
                store_rows(&mut tx, &rows, &judged.dirty, now_ms).await?;
                if last != stored {
                    sqlx::query(
                        "INSERT INTO device_cursors (device_id, last_device_seq) VALUES ($1, $2)
                         ON CONFLICT (device_id) DO UPDATE SET last_device_seq = excluded.last_device_seq",
                    )
                    .bind(device_id)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                judged.refused.extend(refused_before);
                let refused = judged.answer(subject, &rows);
                Ok($crate::db::Pushed { last_device_seq: last, refused })
            }

            async fn materialise_backlog(&self, now_ms: i64) -> $crate::error::Result<u64> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                Self::serialise_push(&mut tx).await?;
                // COUNT is a 64-bit integer on both backends (a bare `SELECT 1` is INT4 on PostgreSQL).
                let has_rows: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM sync_rows LIMIT 1) AS any_row").fetch_one(&mut *tx).await?;
                if has_rows > 0 {
                    return Ok(0);
                }
                let mut rows = $crate::db::rows::Rows::new();
                let (mut after, mut merged) = (0i64, 0u64);
                loop {
                    let page = sqlx::query(
                        "SELECT server_seq, change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns
                         FROM changes WHERE server_seq > $1 ORDER BY server_seq LIMIT 1000",
                    )
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await?;
                    if page.is_empty() {
                        break;
                    }
                    for r in &page {
                        let (seq, c) = change_from_row(r)?;
                        after = seq;
                        $crate::db::rows::merge_into(&mut rows, &c);
                        merged += 1;
                    }
                }
                let keys: Vec<(String, String)> = rows.keys().cloned().collect();
                store_rows(&mut tx, &rows, &keys, now_ms).await?;
                tx.commit().await?;
                if merged > 0 {
                    tracing::info!(changes = merged, rows = keys.len(), "materialised the rows of an older database");
                }
                Ok(merged)
            }

            #[tracing::instrument(skip(self))]
            async fn pull(&self, cursor: i64, limit: i64, unit_id: Option<&str>) -> $crate::error::Result<$crate::db::PullPage> {
                let mut tx = self.begin_read().await?;
                // Every sequence number at or below the head is committed (pushes commit in
                // sequence order), so a page bounded by it can have no hole that fills later.
                let (compacted, head) = log_bounds(&mut tx).await?;
                if cursor > head {
                    return Err($crate::error::Error::UnknownCursor { cursor });
                }
                if cursor < compacted {
                    return Err($crate::error::Error::CursorCompacted { cursor, horizon: compacted });
                }
                let rows = match unit_id {
                    Some(unit) => {
                        sqlx::query(
                            "SELECT server_seq, change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns
                             FROM changes WHERE server_seq > $1 AND server_seq <= $2 AND (unit_id = $3 OR left_unit_id = $3)
                             ORDER BY server_seq LIMIT $4",
                        )
                        .bind(cursor)
                        .bind(head)
                        .bind(unit)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query(
                            "SELECT server_seq, change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns
                             FROM changes WHERE server_seq > $1 AND server_seq <= $2
                             ORDER BY server_seq LIMIT $3",
                        )
                        .bind(cursor)
                        .bind(head)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?
                    }
                };
                tx.commit().await?;
                let changes = rows.iter().map(change_from_row).collect::<$crate::error::Result<Vec<_>>>()?;
                Ok($crate::db::PullPage { changes, horizon: head })
            }

            fn rate_counts(&self, bucket: &'static str, window_secs: i64) -> Option<$crate::db::rate_counts::RateCounts> {
                self.shared_rate_counts(bucket, window_secs)
            }

            #[tracing::instrument(skip(self))]
            async fn snapshot(
                &self,
                seq: Option<i64>,
                after: (&str, &str),
                limit: i64,
                unit_id: Option<&str>,
            ) -> $crate::error::Result<$crate::db::SnapshotPage> {
                use sqlx::Row;
                let mut tx = self.begin_read().await?;
                let (compacted, head) = log_bounds(&mut tx).await?;
                let seq = match seq {
                    None => head,
                    Some(s) if s > head => return Err($crate::error::Error::UnknownCursor { cursor: s }),
                    Some(s) if s < compacted => return Err($crate::error::Error::CursorCompacted { cursor: s, horizon: compacted }),
                    Some(s) => s,
                };
                // Keyset paging on the primary key; a row value comparison is one index range
                // on both backends.
                let rows = match unit_id {
                    Some(unit) => {
                        sqlx::query(
                            "SELECT tbl, row_id, cl, columns, clocks FROM sync_rows
                             WHERE (tbl, row_id) > ($1, $2) AND unit_id = $3 ORDER BY tbl, row_id LIMIT $4",
                        )
                        .bind(after.0)
                        .bind(after.1)
                        .bind(unit)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query(
                            "SELECT tbl, row_id, cl, columns, clocks FROM sync_rows
                             WHERE (tbl, row_id) > ($1, $2) ORDER BY tbl, row_id LIMIT $3",
                        )
                        .bind(after.0)
                        .bind(after.1)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?
                    }
                };
                tx.commit().await?;
                let rows = rows
                    .iter()
                    .map(|r| {
                        let state = $crate::db::rows::decode_row(r.try_get(2)?, &r.try_get::<String, _>(3)?, &r.try_get::<String, _>(4)?)?;
                        Ok((r.try_get(0)?, r.try_get(1)?, state))
                    })
                    .collect::<$crate::error::Result<Vec<_>>>()?;
                Ok($crate::db::SnapshotPage { seq, rows })
            }

            #[tracing::instrument(skip(self))]
            async fn compact(&self, cutoff_ms: i64) -> $crate::error::Result<zongwu_proto::api::CompactResponse> {
                use $crate::db::rows::Verdict;
                const BATCH: i64 = 5000;
                // Publish the horizon before touching the log: from this commit on, a pull or a
                // snapshot below it is refused, and one that began earlier reads its own
                // snapshot of the database, unaffected by the batches below.
                let horizon = {
                    let _guard = self.write_guard().await;
                    let mut tx = self.pool.begin().await?;
                    Self::serialise_push(&mut tx).await?;
                    let (compacted, _) = log_bounds(&mut tx).await?;
                    let newest: i64 =
                        sqlx::query_scalar("SELECT COALESCE(MAX(server_seq), 0) FROM changes WHERE received_at_ms <= $1")
                            .bind(cutoff_ms)
                            .fetch_one(&mut *tx)
                            .await?;
                    if newest > compacted {
                        sqlx::query(
                            "INSERT INTO server_meta (key, value) VALUES ('compacted_through', $1)
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        )
                        .bind(newest.to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    newest.max(compacted)
                };
                let mut out = zongwu_proto::api::CompactResponse { horizon, ..Default::default() };
                // Everything at or below the horizon is looked at again each time: a change kept
                // last time may be overwritten since. What is left there is about one change per
                // live column, so the pass costs what the live data costs.
                let mut after = 0i64;
                while after < horizon {
                    // A batch at a time under the push lock: a push never sees a change gone
                    // while its device's floor still says otherwise, and waits one batch at most.
                    let _guard = self.write_guard().await;
                    let mut tx = self.pool.begin().await?;
                    Self::serialise_push(&mut tx).await?;
                    let page = sqlx::query(
                        "SELECT server_seq, change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns
                         FROM changes WHERE server_seq > $1 AND server_seq <= $2 ORDER BY server_seq LIMIT $3",
                    )
                    .bind(after)
                    .bind(horizon)
                    .bind(BATCH)
                    .fetch_all(&mut *tx)
                    .await?;
                    let logged = page.iter().map(change_from_row).collect::<$crate::error::Result<Vec<_>>>()?;
                    let Some((last, _)) = logged.last() else { break };
                    after = *last;
                    let refs: Vec<&zongwu_proto::Change> = logged.iter().map(|(_, c)| c).collect();
                    let rows = load_rows(&mut tx, &refs).await?;
                    let (mut removed, mut trimmed) = (Vec::new(), Vec::new());
                    let mut floors: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
                    for (seq, c) in &logged {
                        match $crate::db::rows::compaction_verdict(c, rows.get(&(c.table.clone(), c.row_id.clone()))) {
                            Verdict::Keep => {}
                            Verdict::Remove => {
                                removed.push(*seq);
                                let floor = floors.entry(c.device_id.as_str()).or_default();
                                *floor = (*floor).max(c.device_seq);
                            }
                            Verdict::Trim(kept) => trimmed.push((*seq, $crate::db::rows::encode_columns(&kept)?)),
                        }
                    }
                    for chunk in removed.chunks($crate::db::queries::INSERT_CHUNK) {
                        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
                        let sql = format!(
                            "WITH gone (seq) AS (VALUES {}) DELETE FROM changes WHERE server_seq IN (SELECT seq FROM gone)",
                            list.join(", ")
                        );
                        let mut q = sqlx::query::<$db>(&sql);
                        for seq in chunk {
                            q = q.bind(*seq);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for chunk in trimmed.chunks($crate::db::queries::WRITE_CHUNK) {
                        let sql = format!(
                            "WITH kept (seq, cols) AS (VALUES {}) UPDATE changes SET columns = kept.cols FROM kept
                             WHERE changes.server_seq = kept.seq",
                            $crate::db::queries::values_placeholders(chunk.len(), 2)
                        );
                        let mut q = sqlx::query::<$db>(&sql);
                        for (seq, columns) in chunk {
                            q = q.bind(*seq).bind(columns.clone());
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for (device, floor) in &floors {
                        sqlx::query(
                            "UPDATE device_cursors SET compacted_through = $1 WHERE device_id = $2 AND compacted_through < $1",
                        )
                        .bind(*floor)
                        .bind(*device)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    out.examined += logged.len() as u64;
                    out.removed += removed.len() as u64;
                    out.trimmed += trimmed.len() as u64;
                }
                if out.removed + out.trimmed > 0 {
                    self.reclaim().await?;
                    tracing::info!(horizon, examined = out.examined, removed = out.removed, trimmed = out.trimmed, "compacted the change log");
                }
                Ok(out)
            }
        }

        /// The compaction horizon and the head of the log (the largest sequence number handed
        /// out, never below the horizon: compaction may remove the newest changes of dead rows).
        async fn log_bounds(conn: &mut sqlx::Transaction<'_, $db>) -> $crate::error::Result<(i64, i64)> {
            let compacted: Option<String> = sqlx::query_scalar("SELECT value FROM server_meta WHERE key = 'compacted_through'")
                .fetch_optional(&mut **conn)
                .await?;
            let compacted = compacted.and_then(|v| v.parse().ok()).unwrap_or(0i64);
            let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(server_seq), 0) FROM changes").fetch_one(&mut **conn).await?;
            Ok((compacted, max.max(compacted)))
        }

        /// Which of `changes` this server already stored (code `None`) or, `with_refused`,
        /// refused (their refusal code), a chunk at a time.
        async fn stored_ids(
            conn: &mut sqlx::Transaction<'_, $db>,
            changes: &[&zongwu_proto::Change],
            with_refused: bool,
        ) -> $crate::error::Result<std::collections::HashMap<String, Option<String>>> {
            let mut found = std::collections::HashMap::new();
            for chunk in changes.chunks($crate::db::queries::INSERT_CHUNK) {
                let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let mut sql = format!("SELECT change_id, CAST(NULL AS TEXT) AS code FROM changes WHERE change_id IN ({list})");
                if with_refused {
                    sql.push_str(&format!(" UNION ALL SELECT change_id, code FROM refused_changes WHERE change_id IN ({list})"));
                }
                let mut q = sqlx::query_as::<_, (String, Option<String>)>(&sql);
                for c in chunk {
                    q = q.bind(&c.change_id);
                }
                found.extend(q.fetch_all(&mut **conn).await?);
            }
            Ok(found)
        }

        /// The stored rows `changes` touch, by (table, row id).
        async fn load_rows(
            conn: &mut sqlx::Transaction<'_, $db>,
            changes: &[&zongwu_proto::Change],
        ) -> $crate::error::Result<$crate::db::rows::Rows>
        {
            use sqlx::Row;
            // One query per table and chunk of row ids, on the primary key's prefix: a chain
            // of ORed (tbl, row_id) pairs costs PostgreSQL tens of ms per chunk to plan and run.
            let mut by_table: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
            for c in changes {
                by_table.entry(c.table.as_str()).or_default().push(c.row_id.as_str());
            }
            let mut rows = $crate::db::rows::Rows::new();
            for (table, mut ids) in by_table {
                ids.sort_unstable();
                ids.dedup();
                for chunk in ids.chunks($crate::db::queries::INSERT_CHUNK) {
                    // A join against the ids rather than `row_id IN (…)`: with parameters, an IN
                    // list is searched linearly per row whenever PostgreSQL plans a scan (as it
                    // does on a table it has not analysed yet), 60 ms per chunk at 10,000 rows.
                    let list: Vec<String> = (0..chunk.len()).map(|i| format!("(${})", i + 2)).collect();
                    let sql = format!(
                        "WITH ids (id) AS (VALUES {}) SELECT s.row_id, s.cl, s.columns, s.clocks
                         FROM sync_rows s JOIN ids ON s.tbl = $1 AND s.row_id = ids.id",
                        list.join(", ")
                    );
                    let mut q = sqlx::query::<$db>(&sql).bind(table);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for r in q.fetch_all(&mut **conn).await? {
                        let key = (table.to_string(), r.try_get::<String, _>(0)?);
                        let state =
                            $crate::db::rows::decode_row(r.try_get(1)?, &r.try_get::<String, _>(2)?, &r.try_get::<String, _>(3)?)?;
                        rows.insert(key, state);
                    }
                }
            }
            Ok(rows)
        }

        /// Write back the rows a push changed, many per statement.
        async fn store_rows(
            conn: &mut sqlx::Transaction<'_, $db>,
            rows: &$crate::db::rows::Rows,
            dirty: &[(String, String)],
            now_ms: i64,
        ) -> $crate::error::Result<()>
        {
            for chunk in dirty.chunks($crate::db::queries::WRITE_CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_rows (tbl, row_id, unit_id, cl, columns, clocks, updated_at_ms) VALUES {}
                     ON CONFLICT (tbl, row_id) DO UPDATE SET unit_id = excluded.unit_id, cl = excluded.cl,
                         columns = excluded.columns, clocks = excluded.clocks, updated_at_ms = excluded.updated_at_ms",
                    $crate::db::queries::values_placeholders(chunk.len(), 7)
                );
                let mut q = sqlx::query::<$db>(&sql);
                for key in chunk {
                    let row = &rows[key];
                    let columns = serde_json::to_string(&row.values).map_err(|e| $crate::error::Error::Internal(e.to_string()))?;
                    let clocks = row.encode_clocks();
                    q = q
                        .bind(key.0.clone())
                        .bind(key.1.clone())
                        .bind(row.unit_id().map(str::to_string))
                        .bind(row.cl)
                        .bind(columns)
                        .bind(clocks)
                        .bind(now_ms);
                }
                q.execute(&mut **conn).await?;
            }
            Ok(())
        }

        fn user_from_row(r: &<$db as sqlx::Database>::Row) -> $crate::error::Result<$crate::db::User> {
            use sqlx::Row;
            let role: String = r.try_get("role")?;
            Ok($crate::db::User {
                id: r.try_get("id")?,
                login: r.try_get("login")?,
                name: r.try_get("name")?,
                role: $crate::db::Role::parse(&role)
                    .ok_or_else(|| $crate::error::Error::Internal(format!("unknown role {role}")))?,
                unit_id: r.try_get("unit_id")?,
                active: r.try_get::<i64, _>("active")? == 1,
            })
        }

        fn change_from_row(r: &<$db as sqlx::Database>::Row) -> $crate::error::Result<(i64, zongwu_proto::Change)> {
            use sqlx::Row;
            let columns: String = r.try_get("columns")?;
            let (columns, clocks) = $crate::db::rows::decode_columns(&columns)?;
            Ok((
                r.try_get("server_seq")?,
                zongwu_proto::Change {
                    change_id: r.try_get("change_id")?,
                    device_id: r.try_get("device_id")?,
                    device_seq: r.try_get("device_seq")?,
                    table: r.try_get("tbl")?,
                    row_id: r.try_get("row_id")?,
                    unit_id: r.try_get("unit_id")?,
                    hlc: r.try_get("hlc")?,
                    cl: r.try_get("cl")?,
                    columns,
                    clocks,
                    kind: zongwu_proto::ChangeKind::Write,
                },
            ))
        }
    };
}

pub(crate) use impl_database;

#[cfg(test)]
mod tests {
    #[test]
    fn values_placeholders_number_rows_after_each_other() {
        assert_eq!(super::values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
