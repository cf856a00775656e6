//! zongwu's sync server.
//!
//! Desktops push the changes in their outbox and pull everyone else's by a server sequence
//! cursor; the server enforces who may read and write what (an officer sees and writes only their
//! unit). Storage is SQLite by default or PostgreSQL by URL, behind [`db::Database`].
//!
//! The same server answers the public freshman API ([`public`]) and takes in the service
//! platforms' records ([`intake`]).
//!
//! [`launch`] is the seam tests use: settings, a bound listener and a shutdown future in, a
//! running server out, so a test binds port 0 and never races for a port.

pub mod api;
pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod intake;
pub mod public;
pub mod settings;

pub use error::{Error, Result};
pub use settings::{Secret, Settings};

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler gets: settings, storage, the login limiter.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Arc<dyn db::Database>,
    pub limiter: Arc<auth::LoginLimiter>,
    /// The database's epoch (see `migrations/server/*/…_create_server_meta.sql`).
    pub epoch: Arc<str>,
    /// Verified against when a login does not exist, at the configured cost, so response times
    /// do not reveal which logins exist.
    pub dummy_hash: Arc<str>,
    /// Requests of the public freshman API per student number and per address.
    pub public_limiter: Arc<auth::RateLimiter>,
    /// The key of second-factor hashes (see [`public`]).
    pub pepper: Arc<str>,
}

impl AppState {
    /// Connect to the configured database, migrate it, and create the bootstrap admin if the
    /// server has no users yet.
    pub async fn new(settings: Settings) -> Result<AppState> {
        let db = db::connect(settings.database_url.expose(), settings.max_db_connections).await?;
        let limiter = Arc::new(auth::LoginLimiter::new(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            settings.login_window_secs,
        ));
        let epoch = db.epoch().await?.into();
        let memory = settings.argon2_memory_kib;
        let dummy_hash = tokio::task::spawn_blocking(move || auth::hash_password("no such user", memory))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
            .into();
        let public_limiter = Arc::new(auth::RateLimiter::new(settings.public_window_secs));
        let pepper = match settings.second_factor_pepper.expose().as_str() {
            "" => db.meta_or_init("second_factor_pepper", &auth::new_token()).await?,
            set => set.to_string(),
        }
        .into();
        let state = AppState { settings: Arc::new(settings), db, limiter, epoch, dummy_hash, public_limiter, pepper };
        if let Some(admin) = state.settings.bootstrap_admin.clone() {
            if state.db.user_count().await? == 0 {
                state
                    .create_user(api::CreateUser {
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
    pub async fn create_user(&self, req: api::CreateUser) -> Result<db::User> {
        api::validate_new_user(&req)?;
        let hash = self.hash_password(req.password.clone()).await?;
        self.db.create_user(&api::new_user(&req, hash), self.now_ms()).await
    }

    /// Hash a password with the configured cost, off the async threads.
    pub async fn hash_password(&self, password: String) -> Result<String> {
        if password.chars().count() < 8 {
            return Err(Error::BadRequest("password must have at least 8 characters".into()));
        }
        let memory = self.settings.argon2_memory_kib;
        tokio::task::spawn_blocking(move || auth::hash_password(&password, memory))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    }
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::routes())
        .with_state(state)
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(settings.request_timeout_secs)))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            // Name the span by the matched route, not the raw URI (no ids or cursors in span names).
            let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("unmatched");
            tracing::info_span!("request", method = %req.method(), route)
        }))
}

/// Serve until `shutdown` resolves, then finish in-flight requests and return.
/// After restoring a backup of the server database: give it a new epoch. Every desktop's cursor
/// is then refused (409 `unknown_cursor`) and each re-bootstraps: it offers its whole log again
/// (the server keeps one copy of each change, so what the backup lost comes back from the
/// desktops) and pulls from the start. Without it the restored database hands out sequence
/// numbers again that desktops have already passed, and they would skip the changes behind them.
pub async fn renew_epoch(settings: &Settings) -> Result<String> {
    db::connect(settings.database_url.expose(), 1).await?.renew_epoch().await
}

pub async fn launch(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let state = AppState::new(settings).await?;
    serve(state, listener, shutdown).await
}

/// Like [`launch`] with an already built state (the binary seeds demo users first).
pub async fn serve(state: AppState, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "zongwu-server listening");
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Internal(format!("serve: {e}")))
}
