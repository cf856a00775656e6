//! `/api/v1/auth/…`: log in (a device-bound bearer token) and out.

use crate::accounts::account;
use crate::app::{AppState, AuthUser, ClientAddr, Json};
use crate::auth;
use crate::error::{Error, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use zongwu_proto::api::{ErrorBody, LoginRequest, LoginResponse};

pub fn routes() -> Router<AppState> {
    Router::new().route("/auth/login", post(login)).route("/auth/logout", post(logout))
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
    if !app.limiter.allowed(&req.login, addr, now).await? {
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
        app.limiter.record_failure(&req.login, addr, now).await?;
        return Err(Error::Unauthorized);
    };
    app.limiter.record_success(&req.login).await?;
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

fn valid_device_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
