//! The HTTP routes under `/api/v1`. Handlers are short: parse, check the caller's rights, call the
//! [`Database`](crate::db::Database), answer. Scope is checked here, before anything is written.

use crate::auth::{self, AuthUser, ClientAddr};
use crate::db::{Device, NewUser, Role, User};
use crate::error::{Error, Result};
use crate::intake::ApiKeyAuth;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use zongwu_proto::api::{Account, ErrorBody, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse};
use zongwu_proto::Change;

/// Most changes one push may carry and one pull page may return.
pub const MAX_PAGE: i64 = 1000;

/// `axum::Json` whose rejections (malformed JSON, wrong content type) answer in our error shape.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", axum::routing::patch(update_user))
        .route("/devices", get(list_devices))
        .route("/devices/{device_id}", axum::routing::delete(remove_device))
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/openapi.json", get(openapi))
        .merge(crate::public::routes())
        .merge(crate::intake::routes())
}

/// The OpenAPI document of every route, generated from the handlers and wire types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "zongwu sync server", description = "Sync, auth and users for zongwu desktops; the public freshman API; \
        platform intake."),
    paths(login, logout, create_user, list_users, update_user, list_devices, remove_device, push, pull,
          crate::public::room, crate::public::roommates, crate::public::register_arrival, crate::public::companions,
          crate::public::list_plans, crate::public::put_plan,
          crate::intake::create_key, crate::intake::list_keys, crate::intake::revoke_key, crate::intake::post_repair_tickets, crate::intake::post_complaints,
          crate::intake::post_payments, crate::intake::post_file, crate::intake::get_record, crate::intake::list_records),
    components(schemas(zongwu_proto::Change, Account, ErrorBody, User, Device, crate::db::Role, crate::intake::IntakeKind)),
    modifiers(&BearerAuth, &ApiKeyAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "the device belongs to another user", body = ErrorBody),
              (status = 429, description = "too many failed logins", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(login = %req.login, device_id = %req.device_id))]
async fn login(
    State(app): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>> {
    if !valid_device_id(&req.device_id) {
        return Err(Error::BadRequest("device_id must be 1 to 128 letters, digits, '-' or '_'".into()));
    }
    let now = app.now_ms();
    if !app.limiter.allowed(&req.login, addr, now) {
        return Err(Error::TooManyRequests);
    }
    let found = app.db.user_by_login(&req.login).await?;
    let user = match found {
        Some((user, hash)) => {
            let password = req.password.clone();
            let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            ok.then_some(user)
        }
        None => {
            // Spend the same time as a real check, so response times do not reveal which
            // logins exist.
            let (password, hash) = (req.password.clone(), app.dummy_hash.clone());
            tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            None
        }
    };
    let Some(user) = user else {
        app.limiter.record_failure(&req.login, addr, now);
        return Err(Error::Unauthorized);
    };
    app.limiter.record_success(&req.login);
    let owner = app.db.claim_device(&req.device_id, &user.id, now).await?;
    if owner != user.id {
        return Err(Error::Forbidden("this device is registered to another user".into()));
    }
    let token = auth::new_token();
    let expires_at_ms = now + app.settings.token_ttl_secs * 1000;
    app.db.insert_token(&auth::token_hash(&token), &user.id, &req.device_id, now, expires_at_ms).await?;
    tracing::info!(user = %user.login, "logged in");
    Ok(Json(LoginResponse { token, expires_at_ms, user: account(&user) }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token is revoked"), (status = 401, body = ErrorBody)))]
async fn logout(State(app): State<AppState>, caller: AuthUser) -> Result<StatusCode> {
    app.db.revoke_token(&caller.token_hash, app.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub login: String,
    pub password: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub unit_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUser,
    responses((status = 201, body = User), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "login taken", body = ErrorBody)))]
async fn create_user(
    State(app): State<AppState>,
    caller: AuthUser,
    Json(req): Json<CreateUser>,
) -> Result<(StatusCode, Json<User>)> {
    require_admin(&caller)?;
    let user = app.create_user(req).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_users(State(app): State<AppState>, caller: AuthUser) -> Result<Json<Vec<User>>> {
    require_admin(&caller)?;
    Ok(Json(app.db.list_users().await?))
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `null` removes the unit (for a role without one).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub unit_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// Tell a field sent as `null` (`Some(None)`) from one not sent (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), request_body = UpdateUser,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = User), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_user(
    State(app): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<UpdateUser>,
) -> Result<Json<User>> {
    require_admin(&caller)?;
    let mut user = app.db.user_by_id(&id).await?.ok_or_else(|| Error::NotFound(format!("user {id}")))?;
    if let Some(name) = req.name {
        user.name = name;
    }
    if let Some(role) = req.role {
        user.role = role;
    }
    if let Some(unit_id) = req.unit_id {
        user.unit_id = unit_id;
    }
    if let Some(active) = req.active {
        if !active && user.id == caller.user.id {
            return Err(Error::BadRequest("an admin cannot deactivate themselves".into()));
        }
        user.active = active;
    }
    check_role_unit(user.role, &user.unit_id)?;
    let hash = match req.password {
        Some(password) => Some(app.hash_password(password).await?),
        None => None,
    };
    app.db.update_user(&user, hash.as_deref()).await?;
    Ok(Json(user))
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<Device>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_devices(State(app): State<AppState>, caller: AuthUser) -> Result<Json<Vec<Device>>> {
    require_admin(&caller)?;
    Ok(Json(app.db.list_devices().await?))
}

/// Unregister a device (lost laptop, handed to someone else): its tokens stop working and the next
/// user to log in with it owns it. Its changes and sequence numbers stay.
#[utoipa::path(delete, path = "/api/v1/devices/{device_id}", tag = "users", security(("bearer" = [])),
    params(("device_id" = String, Path, description = "device id")),
    responses((status = 204, description = "unregistered"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove_device(State(app): State<AppState>, caller: AuthUser, Path(device_id): Path<String>) -> Result<StatusCode> {
    require_admin(&caller)?;
    if app.db.remove_device(&device_id, app.now_ms()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("device {device_id}")))
    }
}

fn require_admin(caller: &AuthUser) -> Result<()> {
    if caller.user.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin manages users and devices".into()))
    }
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
    let limit = params.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
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

fn valid_device_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks shared by the route and by `--demo` seeding.
pub(crate) fn validate_new_user(req: &CreateUser) -> Result<()> {
    if req.login.trim().is_empty() || req.login.len() > 64 {
        return Err(Error::BadRequest("login must be 1 to 64 characters".into()));
    }
    if req.password.chars().count() < 8 {
        return Err(Error::BadRequest("password must have at least 8 characters".into()));
    }
    check_role_unit(req.role, &req.unit_id)
}

/// Officers belong to exactly one unit; nobody else belongs to one.
fn check_role_unit(role: Role, unit_id: &Option<String>) -> Result<()> {
    match (role, unit_id) {
        (Role::Officer, None) => Err(Error::BadRequest("an officer needs a unit_id".into())),
        (Role::Officer, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(Error::BadRequest("only officers belong to a unit".into())),
    }
}

/// The stored form of a validated request.
pub(crate) fn new_user(req: &CreateUser, password_hash: String) -> NewUser {
    NewUser {
        login: req.login.trim().to_string(),
        name: req.name.clone(),
        role: req.role,
        unit_id: req.unit_id.clone(),
        password_hash,
    }
}

/// The wire form of a user.
pub fn account(user: &User) -> Account {
    Account {
        id: user.id.clone(),
        login: user.login.clone(),
        name: user.name.clone(),
        role: user.role,
        unit_id: user.unit_id.clone(),
    }
}
