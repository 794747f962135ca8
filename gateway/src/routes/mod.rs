//! The HTTP routes, one module per resource, and [`app`], which assembles them with the
//! middleware stack.
//!
//! | module | routes |
//! | --- | --- |
//! | [`films`] | `/api/v1/films`, `/api/v1/films/{id}` |
//! | [`auditoriums`] | `/api/v1/auditoriums`, `/api/v1/auditoriums/{id}` |
//! | [`showtimes`] | `/api/v1/showtimes`, `/{id}`, `/{id}/cancel` |
//! | [`customers`] | `/api/v1/customers`, `/api/v1/me`, `/me/wallet`, `/me/bookings` |
//! | [`bookings`] | booking endpoints (seat maps, holds, purchases) |
//! | [`health`] | `/healthz`, `/readyz`, `/metrics` |
//! | [`docs`] | `/api/openapi.json`, `/api/docs` |
//!
//! Helpers: [`dependents`] (safe deletion and cascades), [`showtime_rules`] (scheduling).

pub mod auditoriums;
pub mod bookings;
pub mod customers;
pub mod dependents;
pub mod docs;
pub mod films;
pub mod health;
pub mod showtime_rules;
pub mod showtimes;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Everything under `/api/v1`, with the idempotency middleware.
pub fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(films::router())
        .merge(auditoriums::router())
        .merge(showtimes::router())
        .merge(customers::router())
        .merge(bookings::router())
        .layer(from_fn_with_state(state.clone(), crate::idempotency::middleware))
}

/// The whole application: routes, fallback and middleware.
///
/// Layers, outermost first: request id (set, then propagated to the response), trace span,
/// problem rewriting of bare errors, panic catching, timeout (503), body limit (413), and
/// per-route metrics.
pub fn app(state: AppState) -> Router {
    let server = &state.config.server;
    let body_limit = server.body_limit_bytes;
    let timeout = Duration::from_millis(server.request_timeout_ms);
    Router::new()
        .merge(health::router())
        .merge(docs::router())
        .nest("/api/v1", api(&state))
        .fallback(crate::http_errors::route_not_found)
        .layer(from_fn(crate::metrics::track))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(CatchPanicLayer::custom(crate::http_errors::panic_response))
        .layer(from_fn(crate::http_errors::problem_fallback))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %request_id)
}
