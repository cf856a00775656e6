//! zongwu's sync server.
//!
//! Desktops push the changes in their outbox and pull everyone else's by a server sequence
//! cursor; the server enforces who may read and write what (an officer sees and writes only their
//! unit). Storage is SQLite by default or PostgreSQL by URL, behind [`db::Database`].
//!
//! The same server answers the public freshman API ([`routes::public`]) and takes in the service
//! platforms' records ([`routes::intake`]).
//!
//! Layout, bottom up: [`error`], [`settings`], [`auth`] (passwords, tokens) and [`db`] (storage
//! behind one trait); [`limits`] (rate limits, counted where the database says); the rule
//! modules [`accounts`] and [`housing`] (platform records' rules are the `zongwu-platform`
//! crate's); [`app`], the state and extractors every handler shares; [`routes`], one module per
//! area, each importing only from below.
//!
//! [`launch`] is the seam tests use: settings, a bound listener and a shutdown future in, a
//! running server out, so a test binds port 0 and never races for a port.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod housing;
pub mod limits;
pub mod routes;
pub mod settings;

pub use app::AppState;
pub use error::{Error, Result};
pub use settings::{Secret, Settings};

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", routes::routes())
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
/// The periodic compaction runs beside it (see [`compact_periodically`]) and stops with it.
pub async fn serve(state: AppState, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "zongwu-server listening");
    let compaction = tokio::spawn(compact_periodically(state.clone()));
    let served = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Internal(format!("serve: {e}")));
    compaction.abort();
    served
}

/// Compact the change log now and then every `compact_every_secs` (never when 0). A failure is
/// logged and tried again next time: compaction only saves space, nothing waits for it.
pub async fn compact_periodically(state: AppState) {
    let every = state.settings.compact_every_secs;
    if every == 0 {
        return;
    }
    loop {
        let cutoff = state.now_ms() - state.settings.compact_keep_secs.saturating_mul(1000);
        if let Err(e) = state.db.compact(cutoff).await {
            tracing::warn!(error = %e, "compaction failed");
        }
        tokio::time::sleep(Duration::from_secs(every)).await;
    }
}
