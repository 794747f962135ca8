//! Operations endpoints: `/healthz` (the process answers), `/readyz` (storage answers and
//! the server is not shutting down) and `/metrics` (Prometheus text format).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// How long `/readyz` waits for storage.
pub const READY_PING_TIMEOUT_MS: u64 = 2_000;

/// The operations routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// Liveness: always `ok`.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process answers", body = String, content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 `ready` when storage answers a ping and shutdown has not begun, else 503.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready for traffic", body = String, content_type = "text/plain"),
    (status = 503, description = "Shutting down or storage unavailable", body = String, content_type = "text/plain"),
))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.shutdown.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match tokio::time::timeout(Duration::from_millis(READY_PING_TIMEOUT_MS), state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: storage ping failed");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage did not answer in time"),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
