//! The state of one connection as the reader sees it: who is connected, the showtimes it is
//! subscribed to (the writer task forwards their changes), pending card-terminal payments,
//! and the rate limit. Incoming text is rate-limited, decoded and handed to the request
//! handlers (`handlers.rs`); answers, subscribes and unsubscribes go to the connection's
//! bounded queue, in order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use boxoffice_engine::TerminalPayment;
use boxoffice_storage::{CustomerId, PaymentId, ShowtimeId};
use tokio::sync::mpsc;

use super::Hub;
use super::close::{CloseReason, Closer};
use super::connection::{Outbound, send_or_close};
use super::protocol::{self, Request};
use super::rate::TokenBucket;
use super::reply::{self, Failure};
use crate::state::AppState;

/// Who is on the other end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// Not authenticated: may subscribe (public seat maps) and ping.
    Anonymous,
    /// A customer: holds and buys with the wallet.
    Customer(CustomerId),
    /// A kiosk (a kiosk device token, or a staff token naming a device): holds and buys for
    /// walk-in customers as its own customer record, paid at the card terminal. It cancels
    /// its own bookings; a staff token whose role may refund (admin, manager) cancels any.
    Kiosk {
        /// The kiosk's customer record (owner of its holds and bookings).
        customer: CustomerId,
        /// Its device name.
        name: String,
    },
}

impl Who {
    /// The principal's name on the wire.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Customer(_) => "customer",
            Who::Kiosk { .. } => "kiosk",
        }
    }
}

/// The token a connection authenticated with, checked again before every booking message
/// (a revoked or expired token stops working on an open connection too).
pub struct SocketCredential {
    /// The bearer token or session cookie.
    pub token: String,
    /// Whether it is the session cookie.
    pub cookie: bool,
}

/// One connection's state.
pub struct Session {
    pub(super) state: AppState,
    pub(super) hub: Arc<Hub>,
    pub(super) tx: mpsc::Sender<Outbound>,
    pub(super) closer: Closer,
    pub(super) who: Who,
    pub(super) credential: Option<SocketCredential>,
    pub(super) subscriptions: HashSet<ShowtimeId>,
    pub(super) payments: HashMap<PaymentId, TerminalPayment>,
    bucket: TokenBucket,
    strikes: u32,
}

impl Session {
    /// A session for a fresh connection.
    pub fn new(
        state: AppState,
        hub: Arc<Hub>,
        tx: mpsc::Sender<Outbound>,
        closer: Closer,
        who: Who,
        credential: Option<SocketCredential>,
    ) -> Self {
        let s = &hub.settings;
        let bucket = TokenBucket::new(s.rate_per_second, s.rate_burst, Instant::now());
        Self {
            state,
            hub,
            tx,
            closer,
            who,
            credential,
            subscriptions: HashSet::new(),
            payments: HashMap::new(),
            bucket,
            strikes: 0,
        }
    }

    /// Queues a message for the client (closing the connection if it is too slow).
    pub async fn send(&self, text: Utf8Bytes) -> bool {
        self.queue(Outbound::Text(text)).await
    }

    /// Queues anything for the writer (closing the connection if it is too slow).
    pub(super) async fn queue(&self, outbound: Outbound) -> bool {
        let slow = Duration::from_millis(self.hub.settings.slow_consumer_ms);
        send_or_close(&self.tx, &self.closer, slow, outbound).await
    }

    /// Counts a data message against the rate limit. `false`: dropped (an error is sent
    /// while the client has strikes left; then the connection closes as a flood).
    fn admit(&mut self, id: Option<&str>) -> bool {
        if self.bucket.take(Instant::now()) {
            self.strikes = 0;
            return true;
        }
        self.strikes += 1;
        metrics::counter!("boxoffice_ws_errors_total", "code" => "rate_limited").increment(1);
        if self.strikes > self.hub.settings.rate_strikes_max {
            self.closer.close(CloseReason::Flood);
        } else {
            let wait_ms = u64::try_from(self.bucket.wait().as_millis()).unwrap_or(u64::MAX).max(1);
            // Never wait for room to say "slow down": drop the error if the queue is full.
            let _ = self.tx.try_send(Outbound::Text(reply::rate_limited(id, wait_ms)));
        }
        false
    }

    /// Handles a text message.
    pub async fn on_text(&mut self, text: &str) {
        let request = protocol::decode(text);
        let id = match &request {
            Ok(r) => Some(r.id.clone()),
            Err(e) => e.id.clone(),
        };
        if !self.admit(id.as_deref()) {
            return;
        }
        match request {
            Ok(request) => self.on_request(request).await,
            Err(e) => {
                let failure = Failure::Protocol(e.code, e.message);
                self.fail(e.id.as_deref(), &failure).await;
            }
        }
    }

    /// Handles a binary message: not part of the protocol.
    pub async fn on_binary(&mut self) {
        if self.admit(None) {
            let failure = Failure::protocol("binary_not_supported", "messages are JSON text frames");
            self.fail(None, &failure).await;
        }
    }

    /// Handles a text message over `websocket.message_bytes_max`: refused, unread.
    pub async fn on_oversized(&mut self) {
        if self.admit(None) {
            let max = self.hub.settings.message_bytes_max;
            let failure = Failure::protocol("message_too_large", format!("messages are limited to {max} bytes"));
            self.fail(None, &failure).await;
        }
    }

    async fn on_request(&mut self, request: Request) {
        let kind = request.body.kind();
        metrics::counter!("boxoffice_ws_requests_total", "type" => kind).increment(1);
        let Request { id, body } = request;
        match self.handle(&id, body).await {
            Ok(Some(answer)) => {
                self.send(answer).await;
            }
            Ok(None) => {}
            Err(failure) => self.fail(Some(&id), &failure).await,
        }
    }

    /// Sends an `error`.
    pub async fn fail(&self, id: Option<&str>, failure: &Failure) {
        metrics::counter!("boxoffice_ws_errors_total", "code" => failure.code()).increment(1);
        self.send(reply::error(id, failure)).await;
    }
}
