//! The HTTP routes, one module per resource, and [`app`], which assembles them with the
//! middleware stack.
//!
//! | module | routes |
//! | --- | --- |
//! | [`films`] | `/api/v1/films`, `/api/v1/films/{id}` |
//! | [`auditoriums`] | `/api/v1/auditoriums`, `/api/v1/auditoriums/{id}` |
//! | [`showtimes`] | `/api/v1/showtimes`, `/{id}`, `/{id}/cancel` |
//! | [`customers`] | `/api/v1/customers` (registration), `/api/v1/me`, `/me/wallet`, `/me/bookings` |
//! | [`auth`] | `/api/v1/auth/*`: login, logout, verification and reset links |
//! | [`profile`] | `/api/v1/me/profile`, `/me/email`, `/me/password`, `/me/delete`, `/me/export` |
//! | [`two_factor`] | `/api/v1/me/2fa/*`: TOTP enrolment, recovery codes |
//! | [`staff`] | `/api/v1/staff`, `/api/v1/kiosks` (admins) |
//! | [`customer_admin`] | `/api/v1/customers/{id}/*` (staff), `/api/v1/audit` |
//! | [`customer_import`] | `/api/v1/staff/customers`: verified, funded customers in bulk (staff) |
//! | [`reviews`] | `/api/v1/films/{id}/reviews`, `/api/v1/reviews/{id}/hide`, `/unhide` |
//! | [`box_office`] | `/api/v1/box-office/*`: walk-in sales and tickets |
//! | [`bookings`] | booking endpoints (seat maps, holds, purchases) |
//! | [`health`] | `/healthz`, `/readyz`, `/metrics` |
//! | [`docs`] | `/api/openapi.json`, `/api/docs` |
//!
//! Helpers: [`dependents`] (safe deletion and cascades), [`showtime_rules`] (scheduling).

pub mod auditoriums;
pub mod auth;
pub mod bookings;
pub mod box_office;
pub mod customer_admin;
pub mod customer_import;
pub mod customers;
pub mod dependents;
pub mod docs;
pub mod films;
pub mod health;
pub mod profile;
pub mod reviews;
pub mod showtime_rules;
pub mod showtimes;
pub mod staff;
pub mod two_factor;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Everything under `/api/v1`, with the audit (staff actions), idempotency and CSRF
/// (cookie sessions) middleware; a write to the catalog (films, auditoriums, showtimes) also
/// invalidates the cached showtime listings.
pub fn api(state: &AppState) -> Router<AppState> {
    let catalog = Router::new()
        .merge(films::router())
        .merge(auditoriums::router())
        .merge(showtimes::router())
        .route_layer(from_fn_with_state(state.clone(), crate::listing_cache::invalidate_on_catalog_change));
    Router::new()
        .merge(catalog)
        .merge(customers::router())
        .merge(bookings::router())
        .merge(auth::router())
        .merge(profile::router())
        .merge(two_factor::router())
        .merge(staff::router())
        .merge(customer_admin::router())
        .merge(customer_import::router())
        .merge(box_office::router())
        .merge(reviews::router())
        .route_layer(from_fn_with_state(state.clone(), crate::audit::middleware))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), crate::security::csrf::middleware))
                .layer(from_fn_with_state(state.clone(), crate::idempotency::middleware)),
        )
}

/// The whole application: routes, fallback and middleware.
///
/// Layers, outermost first: the security headers and CORS, request id (set, then propagated
/// to the response), trace span, problem rewriting of bare errors, panic catching, timeout
/// (503), body limit (413), per-route metrics and, on a node of a cluster, forwarding to a
/// showtime's owner. They are composed into one layer before they are applied: axum wraps every
/// route in each layer it is given and clones a route's service for every request, so one
/// composed layer is one boxed service to clone and drop per request instead of one per
/// layer (~10 % of the request workers' time with sixteen separate layers).
pub fn app(state: AppState) -> Router {
    let server = &state.config.server;
    let body_limit = server.body_limit_bytes;
    let timeout = Duration::from_millis(server.request_timeout_ms);
    let config = std::sync::Arc::clone(&state.config);
    let router = Router::new()
        .merge(health::router())
        .merge(docs::router())
        .nest("/api/v1", api(&state))
        .merge(crate::ws::router(&state))
        .merge(crate::web::router(&state))
        .merge(crate::cluster::routes::router())
        .fallback(crate::web::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(crate::security::headers::layer(&config))
                .map_response(into_axum_response)
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(TraceLayer::new_for_http().make_span_with(request_span as fn(&Request<Body>) -> tracing::Span))
                .layer(from_fn(crate::http_errors::problem_fallback))
                .layer(CatchPanicLayer::custom(crate::http_errors::panic_response))
                .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
                .layer(DefaultBodyLimit::max(body_limit))
                .layer(from_fn(crate::metrics::track))
                // Only a node of a cluster forwards requests to a showtime's owner.
                .option_layer(
                    state
                        .cluster
                        .is_some()
                        .then(|| from_fn_with_state(state.clone(), crate::cluster::forward::middleware)),
                )
                .map_response(into_axum_response)
                // Innermost: axum's `from_fn` middleware only takes axum's own body type.
                .layer(RequestBodyLimitLayer::new(body_limit)),
        );
    router.with_state(state)
}

/// A response with any body as axum's: the layers outside it need one body type (CORS needs
/// one with a `Default`, which the trace layer's is not; the optional forwarding layer and its
/// absence must answer alike).
fn into_axum_response<B>(response: axum::http::Response<B>) -> axum::response::Response
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    response.map(Body::new)
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %request_id)
}
