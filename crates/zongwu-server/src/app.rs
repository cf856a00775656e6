//! What the route modules stand on: the state every handler gets ([`AppState`]) and the
//! extractors they share — our own [`Json`] (malformed bodies answer in our error shape), the
//! callers ([`AuthUser`] by bearer token, [`PlatformCaller`] by API key), client addresses for
//! the rate limits, and the page size. Route modules import from here and never from each
//! other; this module imports no route module.

use crate::error::{Error, Result};
use crate::limits::{LoginLimiter, RateLimiter};
use crate::{accounts, auth, db, Settings};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use zongwu_proto::public::PlatformKey;

/// The header a platform sends its key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// What every handler gets: settings, storage, the rate limits.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Arc<dyn db::Database>,
    /// Failed logins per account and per address, counted where the database says
    /// ([`RateLimiter::on`]: shared by every instance on PostgreSQL).
    pub limiter: Arc<LoginLimiter>,
    /// The database's epoch (see `migrations/server/*/…_create_server_meta.sql`).
    pub epoch: Arc<str>,
    /// Verified against when a login does not exist, at the configured cost, so response times
    /// do not reveal which logins exist.
    pub dummy_hash: Arc<str>,
    /// Requests of the public freshman API per student number and per address, counted like
    /// `limiter`.
    pub public_limiter: Arc<RateLimiter>,
    /// The key of second-factor hashes (see [`crate::housing`]).
    pub pepper: Arc<str>,
}

impl AppState {
    /// Connect to the configured database, migrate it, and create the bootstrap admin if the
    /// server has no users yet.
    pub async fn new(settings: Settings) -> Result<AppState> {
        let db = db::connect(settings.database_url.expose(), settings.max_db_connections).await?;
        let limiter = Arc::new(LoginLimiter::new(
            RateLimiter::on(db.as_ref(), "login", settings.login_window_secs),
            settings.login_failures_per_account,
            settings.login_failures_per_address,
        ));
        let epoch = db.epoch().await?.into();
        let memory = settings.argon2_memory_kib;
        let dummy_hash = tokio::task::spawn_blocking(move || auth::hash_password("no such user", memory))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
            .into();
        let public_limiter = Arc::new(RateLimiter::on(db.as_ref(), "public", settings.public_window_secs));
        let pepper = match settings.second_factor_pepper.expose().as_str() {
            "" => db.meta_or_init("second_factor_pepper", &auth::new_token()).await?,
            set => set.to_string(),
        }
        .into();
        let state = AppState { settings: Arc::new(settings), db, limiter, epoch, dummy_hash, public_limiter, pepper };
        if let Some(admin) = state.settings.bootstrap_admin.clone() {
            if state.db.user_count().await? == 0 {
                state
                    .create_user(accounts::CreateUser {
                        login: admin.login.clone(),
                        password: admin.password.expose().clone(),
                        name: admin.login.clone(),
                        role: db::Role::Admin,
                        unit_id: None,
                    })
                    .await?;
                tracing::info!(login = %admin.login, "created the bootstrap admin");
            }
        }
        Ok(state)
    }

    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    /// Validate, hash the password and store a new user.
    pub async fn create_user(&self, req: accounts::CreateUser) -> Result<db::User> {
        accounts::validate_new_user(&req)?;
        let hash = self.hash_password(req.password.clone()).await?;
        self.db.create_user(&accounts::new_user(&req, hash), self.now_ms()).await
    }

    /// Hash a password with the configured cost, off the async threads.
    pub async fn hash_password(&self, password: String) -> Result<String> {
        if password.chars().count() < zongwu_proto::MIN_PASSWORD_CHARS {
            return Err(Error::BadRequest(format!(
                "password must have at least {} characters",
                zongwu_proto::MIN_PASSWORD_CHARS
            )));
        }
        let memory = self.settings.argon2_memory_kib;
        tokio::task::spawn_blocking(move || auth::hash_password(&password, memory))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    }

    /// A new key for `platform`; only its hash is stored. Shared by the route and `--demo`.
    pub async fn create_platform_key(&self, platform: &str, label: &str, created_by: &str) -> Result<PlatformKey> {
        let key = format!("zwk_{}", auth::new_token());
        let id = uuid::Uuid::now_v7().to_string();
        self.db.create_platform_key(&id, platform, label, &auth::token_hash(&key), created_by, self.now_ms()).await?;
        tracing::info!(%platform, %id, "platform key created");
        Ok(PlatformKey { id, platform: platform.to_string(), label: label.to_string(), key })
    }
}

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

/// `limit` of a paged list, 1 to [`MAX_PAGE`] (default [`MAX_PAGE`]).
pub fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE)
}

/// The client's address, when the server was started with connection info (not in `oneshot` tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// The caller of an authenticated route: a live bearer token's user and device.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: db::User,
    pub device_id: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthorized)?;
        let hash = auth::token_hash(token);
        let (user, device_id) = state.db.token_user(&hash, state.now_ms()).await?.ok_or(Error::Unauthorized)?;
        Ok(AuthUser { user, device_id, token_hash: hash })
    }
}

/// The address a public request is counted against: the peer, or the configured header's first
/// address when the server sits behind a proxy that sets it.
#[derive(Debug, Clone, Copy)]
pub struct PublicAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for PublicAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(header) = state.settings.public_client_ip_header.as_deref() {
            let forwarded = parts
                .headers
                .get(header)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return Ok(PublicAddr(forwarded));
            }
        }
        let ClientAddr(peer) = ClientAddr::from_request_parts(parts, state).await?;
        Ok(PublicAddr(peer))
    }
}

/// The platform of the caller's API key.
#[derive(Debug, Clone)]
pub struct PlatformCaller(pub String);

impl FromRequestParts<AppState> for PlatformCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let key = parts
            .headers
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(Error::Unauthorized)?;
        let platform = state.db.platform_of_key(&auth::token_hash(key)).await?.ok_or(Error::Unauthorized)?;
        Ok(PlatformCaller(platform))
    }
}
