//! `/api/v1/sync/…`: desktops push their outbox and pull everyone else's changes by a server
//! sequence cursor. Scope is checked here and in the rule table the store applies
//! (`zongwu_proto::rules`), before anything is written. A new desktop (or one whose cursor was
//! compacted away) first downloads the materialised rows in pages (`/sync/snapshot`), then
//! follows the log from the snapshot's sequence number; an admin can compact the log now
//! (`/sync/compact`), the server also does it on its own (`compact_every_secs`).

use crate::app::{page_limit, AppState, AuthUser, Json, MAX_PAGE};
use crate::db::{Role, User};
use crate::error::{Error, Result};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use zongwu_proto::api::{
    CompactRequest, CompactResponse, ErrorBody, PullResponse, PushRequest, PushResponse, RowKey, SnapshotResponse,
};
use zongwu_proto::Change;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/snapshot", get(snapshot))
        .route("/sync/compact", post(compact))
}

#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "a change outside the caller's scope; nothing applied", body = ErrorBody),
              (status = 409, description = "seq_gap: a gap in device_seq, or clock_skew: a change stamped more than 5 min \
                ahead of the server's clock, or seq_reused: a used device_seq with a new change id (the \
                device's log was rolled back); nothing applied", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user = %caller.user.login, device_id = %req.device_id, changes = req.changes.len()))]
async fn push(State(app): State<AppState>, caller: AuthUser, Json(req): Json<PushRequest>) -> Result<Json<PushResponse>> {
    if req.device_id != caller.device_id {
        return Err(Error::Forbidden("a token pushes only for the device it logged in from".into()));
    }
    if req.changes.len() as i64 > MAX_PAGE {
        return Err(Error::BadRequest(format!("at most {MAX_PAGE} changes per push")));
    }
    for c in &req.changes {
        if c.device_id != req.device_id {
            return Err(Error::BadRequest(format!("change {} is from another device", c.change_id)));
        }
        if c.device_seq < 1 || c.change_id.is_empty() || c.row_id.is_empty() {
            return Err(Error::BadRequest(format!("change {} is incomplete", c.change_id)));
        }
        if !zongwu_proto::SYNCED_TABLES.contains(&c.table.as_str()) {
            return Err(Error::BadRequest(format!("change {}: {} is not a synced table", c.change_id, c.table)));
        }
    }
    if let Some(c) = req.changes.iter().find(|c| !c.kind.is_write()) {
        return Err(Error::BadRequest(format!("change {}: a desktop pushes writes only", c.change_id)));
    }
    let now = app.now_ms();
    check_clocks(&req.changes, now)?;
    let pushed = app.db.push(subject(&caller.user), &req.device_id, &req.changes, now).await?;
    Ok(Json(PushResponse { last_device_seq: pushed.last_device_seq, server_time_ms: app.now_ms(), refused: pushed.refused }))
}

/// Every change carries a valid HLC no further ahead of `now_ms` than
/// [`MAX_FORWARD_SKEW_MS`](zongwu_proto::MAX_FORWARD_SKEW_MS) allows.
pub fn check_clocks(changes: &[Change], now_ms: i64) -> Result<()> {
    for c in changes {
        let hlc =
            zongwu_proto::Hlc::parse(&c.hlc).ok_or_else(|| Error::BadRequest(format!("change {}: bad hlc", c.change_id)))?;
        let ahead_ms = hlc.wall_ms - now_ms;
        if ahead_ms > zongwu_proto::MAX_FORWARD_SKEW_MS {
            return Err(Error::ClockSkew { change_id: c.change_id.clone(), ahead_ms });
        }
    }
    Ok(())
}

/// The caller as the rule table sees them.
pub fn subject(user: &User) -> zongwu_proto::rules::Subject<'_> {
    zongwu_proto::rules::Subject { user_id: &user.id, role: user.role, unit_id: user.unit_id.as_deref() }
}

/// A pulled change as `unit`'s officer receives it: a change that moved the row away from the
/// unit becomes a scope exit (the row leaves their desktop, nothing of its new owner is shown).
fn scoped(change: Change, unit: Option<&str>) -> Change {
    match unit {
        Some(unit) if change.unit_id.as_deref() != Some(unit) => Change {
            columns: Default::default(),
            clocks: Default::default(),
            unit_id: Some(unit.to_string()),
            kind: zongwu_proto::ChangeKind::ScopeExit,
            ..change
        },
        _ => change,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    /// The `next_cursor` of the previous page; 0 to start.
    #[serde(default)]
    pub cursor: i64,
    /// Page size, 1 to 1000 (default 1000).
    pub limit: Option<i64>,
    /// The `epoch` the cursor came from; a different one is 409 `unknown_cursor`.
    pub epoch: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])), params(PullParams),
    responses((status = 200, body = PullResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, description = "unknown_cursor: re-bootstrap; cursor_compacted: the cursor is below the \
                compaction horizon, bootstrap from /sync/snapshot", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user = %caller.user.login))]
async fn pull(
    State(app): State<AppState>,
    caller: AuthUser,
    params: std::result::Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>> {
    let Query(params) = params.map_err(|e| Error::BadRequest(e.body_text()))?;
    if params.cursor < 0 {
        return Err(Error::BadRequest("cursor must not be negative".into()));
    }
    if params.epoch.as_deref().is_some_and(|e| !e.is_empty() && e != &*app.epoch) {
        // The cursor belongs to another database (this one was replaced or restored).
        return Err(Error::UnknownCursor { cursor: params.cursor });
    }
    let limit = page_limit(params.limit);
    let unit = scope(&caller.user)?;
    let page = app.db.pull(params.cursor, limit, unit).await?;
    let full = page.changes.len() as i64 == limit;
    let (next_cursor, has_more) = match page.changes.last() {
        // A full page may have more behind it; a short one has read everything up to the horizon.
        Some((last, _)) if full => (*last, *last < page.horizon),
        _ => (page.horizon, false),
    };
    Ok(Json(PullResponse {
        changes: page.changes.into_iter().map(|(_, c)| scoped(c, unit)).collect(),
        next_cursor,
        has_more,
        server_time_ms: app.now_ms(),
        epoch: app.epoch.to_string(),
    }))
}

/// The unit whose rows `user` receives; `None`: every row.
fn scope(user: &User) -> Result<Option<&str>> {
    match user.role {
        Role::Officer => Ok(Some(user.unit_id.as_deref().ok_or_else(|| Error::Forbidden("officer without a unit".into()))?)),
        _ => Ok(None),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotParams {
    /// The `seq` of the snapshot's first page; absent to start a snapshot.
    pub seq: Option<i64>,
    /// The `after` key of the previous page (both or neither).
    pub after_table: Option<String>,
    pub after_row: Option<String>,
    /// Page size, 1 to 1000 (default 1000).
    pub limit: Option<i64>,
    /// The `epoch` of the first page; a different one is 409 `unknown_cursor`.
    pub epoch: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/sync/snapshot", tag = "sync", security(("bearer" = [])), params(SnapshotParams),
    responses((status = 200, body = SnapshotResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, description = "unknown_cursor: `seq` or `epoch` is not this database's, start again without \
                them; cursor_compacted: the log was compacted past `seq`, start again without it", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user = %caller.user.login))]
async fn snapshot(
    State(app): State<AppState>,
    caller: AuthUser,
    params: std::result::Result<Query<SnapshotParams>, QueryRejection>,
) -> Result<Json<SnapshotResponse>> {
    let Query(params) = params.map_err(|e| Error::BadRequest(e.body_text()))?;
    if params.seq.is_some_and(|s| s < 0) {
        return Err(Error::BadRequest("seq must not be negative".into()));
    }
    if params.epoch.as_deref().is_some_and(|e| !e.is_empty() && e != &*app.epoch) {
        return Err(Error::UnknownCursor { cursor: params.seq.unwrap_or(0) });
    }
    let after = match (params.after_table.as_deref(), params.after_row.as_deref()) {
        (Some(table), Some(row)) => (table, row),
        (None, None) => ("", ""),
        _ => return Err(Error::BadRequest("after_table and after_row go together".into())),
    };
    let limit = page_limit(params.limit);
    let page = app.db.snapshot(params.seq, after, limit, scope(&caller.user)?).await?;
    let has_more = page.rows.len() as i64 == limit;
    let after = page.rows.last().map(|(table, row_id, _)| RowKey { table: table.clone(), row_id: row_id.clone() });
    let rows = page.rows.iter().map(|(table, row_id, row)| crate::db::rows::snapshot_row(page.seq, table, row_id, row)).collect();
    Ok(Json(SnapshotResponse {
        rows,
        seq: page.seq,
        after,
        has_more,
        server_time_ms: app.now_ms(),
        epoch: app.epoch.to_string(),
    }))
}

#[utoipa::path(post, path = "/api/v1/sync/compact", tag = "sync", security(("bearer" = [])), request_body = CompactRequest,
    responses((status = 200, body = CompactResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "only an admin compacts", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user = %caller.user.login))]
async fn compact(
    State(app): State<AppState>,
    caller: AuthUser,
    Json(req): Json<CompactRequest>,
) -> Result<Json<CompactResponse>> {
    if !caller.user.role.manages_accounts() {
        return Err(Error::Forbidden("only an admin compacts the change log".into()));
    }
    let keep_secs = req.keep_secs.unwrap_or(app.settings.compact_keep_secs);
    if keep_secs < 0 {
        return Err(Error::BadRequest("keep_secs must not be negative".into()));
    }
    Ok(Json(app.db.compact(app.now_ms() - keep_secs.saturating_mul(1000)).await?))
}
