//! The WebSocket endpoint `/ws`: kiosks and live seat maps (protocol v1,
//! `docs/websocket.md`).
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`protocol`] | client messages and their decoder (fuzzed) |
//! | [`reply`] | server answers, errors with stable codes, `closing` |
//! | [`close`] | close reasons and codes; the per-connection [`close::Closer`] |
//! | [`connection`] | reader and writer of one connection, heartbeats, idle timeout, shutdown; the writer forwards the subscriptions |
//! | [`session`] | per-connection state: principal, subscriptions, payments, rate limit |
//! | [`handlers`] | one handler per request type |
//! | [`fanout`] | the pool of low-priority threads the writer tasks run on |
//! | [`forward`] | one subscription, polled by the writer: start, then live changes, resume on lag |
//! | [`kiosk`] | kiosk devices as customer records |
//! | [`rate`] | the token bucket |
//!
//! Fan-out: each showtime actor encodes a change once and sends it on a bounded broadcast
//! channel; every subscribed connection's writer task receives a reference to the same
//! bytes and writes all that is ready before one flush (for subscriptions made with
//! `coalesce`, the ready changes of a showtime as one `changes` message), so a slow client
//! only ever slows itself (it resumes, or is closed as a slow consumer). Accepted sockets
//! have `TCP_NODELAY` (`security::tls::serve`).

pub mod close;
pub mod connection;
pub mod fanout;
pub mod forward;
pub mod handlers;
pub mod kiosk;
pub mod protocol;
pub mod rate;
pub mod reply;
pub mod session;

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Router, response::IntoResponse};
use boxoffice_storage::CustomerId;
use dashmap::DashMap;
use tokio::sync::Semaphore;

use crate::config::WebSocketSettings;
use crate::state::AppState;

use self::fanout::FanoutPool;
use self::session::{SocketCredential, Who};

/// Messages up to `message_bytes_max` are handled; larger ones up to this many times the
/// limit are read whole and refused with `message_too_large` (the connection survives);
/// beyond that the frame is not even read: the connection closes with 1009.
pub const HARD_LIMIT_FACTOR: usize = 4;

/// Bytes tungstenite buffers before it writes to the socket. Above zero so that a batch of
/// messages is one socket write (the writer flushes after each batch); small because the
/// buffer keeps the capacity it ever reached for the connection's life.
pub const WRITE_BUFFER_BYTES: usize = 4 * 1024;

/// What every connection shares: the limits, the connection permits and known kiosks.
#[derive(Debug)]
pub struct Hub {
    /// `[websocket]` settings.
    pub settings: WebSocketSettings,
    /// One permit per open connection (`websocket.connections_max`).
    pub permits: Arc<Semaphore>,
    /// Kiosk device names and their customer records.
    pub kiosks: DashMap<String, CustomerId>,
    /// The threads the connections' writer tasks run on.
    pub fanout: FanoutPool,
}

impl Hub {
    /// A hub for `settings`; starts the fan-out pool.
    #[must_use]
    pub fn new(settings: WebSocketSettings) -> Self {
        let permits = Arc::new(Semaphore::new(settings.connections_max));
        let fanout = FanoutPool::start_or_inline(settings.fanout_threads, settings.fanout_nice);
        Self { settings, permits, kiosks: DashMap::new(), fanout }
    }
}

/// The `/ws` route.
pub fn router(state: &AppState) -> Router<AppState> {
    let hub = Arc::new(Hub::new(state.config.websocket.clone()));
    Router::new().route("/ws", get(upgrade)).layer(Extension(hub))
}

/// Upgrades to a WebSocket. A bearer token in `Authorization` authenticates the
/// connection (an unknown token is `401` before the upgrade); so does the browser's session
/// cookie, from a page of this site only (`Origin` the same host, or one of
/// `security.cors_allowed_origins`; another origin is `403`, so that no other site can open
/// a socket in a signed-in customer's name). Without either the client may send `auth` later.
#[tracing::instrument(skip_all)]
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(hub): Extension<Arc<Hub>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let credential = match crate::auth::request_credential(&headers) {
        Ok(found) => found.map(|(token, cookie)| SocketCredential { token: token.to_owned(), cookie }),
        Err(error) => return error.into_response(),
    };
    if credential.as_ref().is_some_and(|c| c.cookie) && !same_site_origin(&headers, &state) {
        let detail = "a session cookie is accepted from this site's pages only; send a bearer token instead";
        return crate::error::ApiError::forbidden(detail).into_response();
    }
    let identity = match &credential {
        Some(c) => match state.auth.identify(&c.token, c.cookie).await {
            Ok(Some(identity)) => Some(identity),
            Ok(None) if c.cookie => None,
            Ok(None) => {
                return crate::error::ApiError::unauthorized("unknown, expired or revoked bearer token")
                    .into_response();
            }
            Err(error) => return crate::error::ApiError::from(error).into_response(),
        },
        None => None,
    };
    let credential = credential.filter(|_| identity.is_some());
    let who = match identity {
        None => Who::Anonymous,
        Some(identity) => match handlers::who(&state, &hub, identity.principal, None).await {
            Ok(who) => who,
            Err(failure) => {
                tracing::warn!(code = failure.code(), "cannot set up the principal of a WebSocket");
                return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
            }
        },
    };
    let permit = Arc::clone(&hub.permits).try_acquire_owned().ok();
    let s = &hub.settings;
    upgrade
        .read_buffer_size(s.read_buffer_bytes)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(s.message_bytes_max.saturating_mul(HARD_LIMIT_FACTOR))
        .max_frame_size(s.message_bytes_max.saturating_mul(HARD_LIMIT_FACTOR))
        .on_upgrade(move |socket| connection::serve(socket, hub, state, who, credential, permit))
}

/// Whether the upgrade comes from a page of this site: no `Origin` (not a browser), an
/// `Origin` whose host and port are the request's `Host`, or a configured CORS origin.
fn same_site_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if state.config.security.cors_allowed_origins.iter().any(|allowed| allowed == origin) {
        return true;
    }
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}
