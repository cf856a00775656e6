//! `/api/v1/sync/…`: desktops push their outbox and pull everyone else's changes by a server
//! sequence cursor. Scope is checked here and in the rule table the store applies
//! (`zongwu_proto::rules`), before anything is written.

use crate::app::{page_limit, AppState, AuthUser, Json, MAX_PAGE};
use crate::db::{Role, User};
use crate::error::{Error, Result};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use zongwu_proto::api::{ErrorBody, PullResponse, PushRequest, PushResponse};
use zongwu_proto::Change;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sync/push", post(push)).route("/sync/pull", get(pull))
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
              (status = 409, description = "unknown_cursor: re-bootstrap", body = ErrorBody)))]
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
    let unit = match caller.user.role {
        Role::Officer => Some(caller.user.unit_id.as_deref().ok_or_else(|| Error::Forbidden("officer without a unit".into()))?),
        _ => None,
    };
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
