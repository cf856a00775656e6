//! `/api/v1/users` and `/api/v1/devices`: the admin manages accounts and registered devices.

use crate::accounts::{check_role_unit, CreateUser};
use crate::app::{AppState, AuthUser, Json};
use crate::db::{Device, Role, User};
use crate::error::{Error, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch};
use axum::Router;
use serde::{Deserialize, Serialize};
use zongwu_proto::api::ErrorBody;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", patch(update_user))
        .route("/devices", get(list_devices))
        .route("/devices/{device_id}", delete(remove_device))
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
    if caller.user.role.manages_accounts() {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin manages users and devices".into()))
    }
}
