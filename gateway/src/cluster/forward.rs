//! Forwarding: a request that concerns one showtime goes to the showtime's owner.
//!
//! Showtime-scoped requests are `/api/v1/showtimes/{id}` and everything under it (seat
//! map, holds, purchase, block, cancel, update), `POST /api/v1/bookings/{id}/cancel` (the
//! booking's showtime is read from storage) and the box-office sales, whose JSON body names
//! a `showtime_id`. Anything else is served where it arrived.
//!
//! A forwarded request carries [`HOP_HEADER`] and is always served by the node it reaches,
//! as the showtime's owner ([`boxoffice_engine::as_owner`]): one hop at most, so nodes
//! whose views briefly disagree cannot bounce a request around. If the owner cannot be
//! reached at all (connection refused or connect timeout: the request was never
//! delivered), it is marked down and the request goes to the next owner (possibly this
//! node, which then takes the showtime over, fenced by a new epoch). If it was delivered
//! but no answer came in time, the outcome is unknown: the client gets 503
//! `owner_unavailable` and retries (with its `Idempotency-Key`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use boxoffice_storage::{BookingId, ShowtimeId};

use super::Cluster;
use crate::error::Problem;
use crate::state::AppState;

/// Marks a request forwarded by another node (its value: the sender's URL).
pub const HOP_HEADER: &str = "x-boxoffice-forwarded-by";
/// On a response: the node that served it.
pub const SERVED_BY_HEADER: &str = "x-boxoffice-node";
/// Longest time the booking lookup of a cancellation may take.
const LOOKUP_TIMEOUT_MS: u64 = 2_000;

/// Where a request must be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere.
    Any,
    /// By the owner of this showtime.
    Showtime(ShowtimeId),
    /// By the owner of this booking's showtime.
    Booking(BookingId),
    /// By the owner of the showtime named in the JSON body (`showtime_id`).
    BodyShowtime,
}

/// The scope of a request, from its method and path alone.
#[must_use]
pub fn scope(method: &Method, path: &str) -> Scope {
    let mut parts = path.trim_end_matches('/').split('/').skip(1);
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("api"), Some("v1"), Some("showtimes"), Some(id), _) => id.parse().map_or(Scope::Any, Scope::Showtime),
        (Some("api"), Some("v1"), Some("bookings"), Some(id), Some("cancel")) if method == Method::POST => {
            id.parse().map_or(Scope::Any, Scope::Booking)
        }
        (Some("api"), Some("v1"), Some("box-office"), Some("sales" | "holds"), _) if method == Method::POST => {
            Scope::BodyShowtime
        }
        _ => Scope::Any,
    }
}

/// The middleware.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(cluster) = state.cluster.clone() else { return next.run(request).await };
    if request.headers().contains_key(HOP_HEADER) {
        let mut response = boxoffice_engine::as_owner(next.run(request)).await;
        served_by(&mut response, &cluster);
        return response;
    }
    let (parts, body) = request.into_parts();
    let (showtime, body) = match scope(&parts.method, parts.uri.path()) {
        Scope::Any => return next.run(Request::from_parts(parts, body)).await,
        Scope::Showtime(id) => (Some(id), body),
        Scope::Booking(id) => (booking_showtime(&state, id).await, body),
        Scope::BodyShowtime => {
            let limit = state.config.server.body_limit_bytes;
            let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
                return Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Payload too large",
                    "the body is too large",
                )
                .into_response();
            };
            (body_showtime(&bytes), Body::from(bytes))
        }
    };
    let Some(showtime) = showtime else { return next.run(Request::from_parts(parts, body)).await };
    route(&state, &cluster, showtime, Request::from_parts(parts, body), next).await
}

/// Serves locally if this node owns the showtime, else forwards (trying the next owner
/// when one is unreachable).
async fn route(
    state: &AppState,
    cluster: &Arc<Cluster>,
    showtime: ShowtimeId,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut owner = cluster.owner_of(showtime).to_owned();
    if owner == cluster.advertise() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let limit = state.config.server.body_limit_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            "the body is too large",
        )
        .into_response();
    };
    for _ in 0..cluster.peers().len() {
        match send(cluster, &owner, &parts, bytes.clone()).await {
            Ok(response) => return response,
            Err(Failure::NotDelivered(error)) => {
                tracing::warn!(owner = %owner, %showtime, %error, "owner unreachable; trying the next one");
                cluster.mark_down(&owner);
            }
            Err(Failure::Unknown(error)) => {
                tracing::warn!(owner = %owner, %showtime, %error, "forwarded request failed");
                metrics::counter!("boxoffice_cluster_forward_failures_total").increment(1);
                return owner_unavailable();
            }
        }
        owner = cluster.owner_of(showtime).to_owned();
        if owner == cluster.advertise() {
            tracing::info!(%showtime, "taking the showtime over from an unreachable owner");
            return next.run(Request::from_parts(parts, Body::from(bytes))).await;
        }
    }
    owner_unavailable()
}

enum Failure {
    /// The request never reached the owner: safe to send elsewhere.
    NotDelivered(reqwest::Error),
    /// It may have been applied.
    Unknown(reqwest::Error),
}

/// Sends the request to `owner` and turns its answer into ours.
async fn send(
    cluster: &Cluster,
    owner: &str,
    parts: &axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, Failure> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = forwardable(&parts.headers);
    if let Ok(value) = HeaderValue::from_str(cluster.advertise()) {
        headers.insert(HeaderName::from_static(HOP_HEADER), value);
    }
    if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        append_forwarded_for(&mut headers, *peer);
    }
    metrics::counter!("boxoffice_cluster_forwarded_total").increment(1);
    let sent = cluster
        .client()
        .request(parts.method.clone(), format!("{owner}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) if e.is_connect() => return Err(Failure::NotDelivered(e)),
        Err(e) => return Err(Failure::Unknown(e)),
    };
    let status = answer.status();
    let headers = forwardable(answer.headers());
    let bytes = answer.bytes().await.map_err(Failure::Unknown)?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The headers worth passing on: all but hop-by-hop ones and the body framing.
fn forwardable(headers: &HeaderMap) -> HeaderMap {
    const HOP_BY_HOP: [&str; 9] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "content-length",
        "host",
    ];
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

fn append_forwarded_for(headers: &mut HeaderMap, peer: SocketAddr) {
    let previous = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let value = match previous {
        Some(previous) => format!("{previous}, {}", peer.ip()),
        None => peer.ip().to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static("x-forwarded-for"), value);
    }
}

fn served_by(response: &mut Response, cluster: &Cluster) {
    if let Ok(value) = HeaderValue::from_str(cluster.advertise()) {
        response.headers_mut().insert(HeaderName::from_static(SERVED_BY_HEADER), value);
    }
}

/// The showtime of a booking (`None`: unknown booking or storage trouble; served here,
/// which answers it properly).
async fn booking_showtime(state: &AppState, booking: BookingId) -> Option<ShowtimeId> {
    let lookup = state.storage.booking(booking);
    match tokio::time::timeout(std::time::Duration::from_millis(LOOKUP_TIMEOUT_MS), lookup).await {
        Ok(Ok(Some(found))) => Some(found.record.showtime_id),
        _ => None,
    }
}

/// The `showtime_id` of a JSON body, if it has one.
#[must_use]
pub fn body_showtime(body: &[u8]) -> Option<ShowtimeId> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("showtime_id")?.as_str()?.parse().ok()
}

fn owner_unavailable() -> Response {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "owner_unavailable",
        "Service unavailable",
        "the showtime's node did not answer; check before retrying",
    )
    .header(header::RETRY_AFTER, "1")
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn showtime_scoped_paths() {
        let id = ShowtimeId::new();
        for path in [
            format!("/api/v1/showtimes/{id}"),
            format!("/api/v1/showtimes/{id}/seats"),
            format!("/api/v1/showtimes/{id}/holds/current"),
            format!("/api/v1/showtimes/{id}/holds/x/purchase/"),
        ] {
            assert_eq!(scope(&Method::GET, &path), Scope::Showtime(id), "{path}");
        }
        let b = BookingId::new();
        assert_eq!(scope(&Method::POST, &format!("/api/v1/bookings/{b}/cancel")), Scope::Booking(b));
        assert_eq!(scope(&Method::GET, &format!("/api/v1/bookings/{b}")), Scope::Any);
        assert_eq!(scope(&Method::POST, "/api/v1/box-office/holds/x/sell"), Scope::BodyShowtime);
        assert_eq!(scope(&Method::GET, "/api/v1/showtimes"), Scope::Any);
        assert_eq!(scope(&Method::GET, "/api/v1/showtimes/not-a-uuid/seats"), Scope::Any);
        assert_eq!(scope(&Method::GET, "/ws"), Scope::Any);
    }

    #[test]
    fn body_showtime_reads_the_json_field() {
        let id = ShowtimeId::new();
        assert_eq!(body_showtime(format!(r#"{{"showtime_id":"{id}","seats":["A1"]}}"#).as_bytes()), Some(id));
        assert_eq!(body_showtime(b"{}"), None);
        assert_eq!(body_showtime(b"not json"), None);
    }

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        headers.insert(header::HOST, HeaderValue::from_static("a"));
        let out = forwardable(&headers);
        assert_eq!(out.len(), 1);
        assert!(out.contains_key(header::AUTHORIZATION));
    }
}
