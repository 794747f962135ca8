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
use axum::response::Response;
use axum::routing::get;
use axum::{Router, http::StatusCode, response::IntoResponse};
use boxoffice_storage::CustomerId;
use dashmap::DashMap;
use tokio::sync::Semaphore;

use crate::auth::Principal;
use crate::config::WebSocketSettings;
use crate::state::AppState;

use self::fanout::FanoutPool;
use self::session::Who;

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
/// connection (an unknown token is `401` before the upgrade); without one the client may
/// send `auth` later.
#[tracing::instrument(skip_all)]
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(hub): Extension<Arc<Hub>>,
    principal: Option<Principal>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let who = match principal {
        None => Who::Anonymous,
        Some(principal) => match handlers::who(&state, &hub, principal, None).await {
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
        .on_upgrade(move |socket| connection::serve(socket, hub, state, who, permit))
}
