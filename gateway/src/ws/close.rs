//! Why a connection closes, and the [`Closer`] both tasks of a connection share: the first
//! reason wins, and its token tells the reader and the writer to stop. The token is a child
//! of the server's shutdown token, so a connection waits on one token of its own (not on a
//! token shared by every connection), and server shutdown closes it with `shutdown`.

use std::sync::{Arc, OnceLock};

use tokio_util::sync::CancellationToken;

/// Why the server closes a connection. Each reason has one WebSocket close code and a
/// stable `reason` string (also sent in a `closing` message just before the close frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed, or its connection dropped: nothing more is sent.
    ClientGone,
    /// The server is shutting down (1001).
    Shutdown,
    /// Too many connections (1013, try again later).
    ServerFull,
    /// A message larger than `websocket.message_bytes_max` (1009).
    MessageTooLarge,
    /// Too many messages refused by the rate limit in a row (1008).
    Flood,
    /// Nothing received for `websocket.idle_timeout_ms` (4000).
    IdleTimeout,
    /// The client does not read fast enough (4001).
    SlowConsumer,
    /// A server bug (1011); logged.
    Internal,
}

impl CloseReason {
    /// The WebSocket close code.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            CloseReason::ClientGone => 1000,
            CloseReason::Shutdown => 1001,
            CloseReason::Flood => 1008,
            CloseReason::MessageTooLarge => 1009,
            CloseReason::Internal => 1011,
            CloseReason::ServerFull => 1013,
            CloseReason::IdleTimeout => 4000,
            CloseReason::SlowConsumer => 4001,
        }
    }

    /// The stable reason string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CloseReason::ClientGone => "client_gone",
            CloseReason::Shutdown => "shutdown",
            CloseReason::ServerFull => "server_full",
            CloseReason::MessageTooLarge => "message_too_large",
            CloseReason::Flood => "flood",
            CloseReason::IdleTimeout => "idle_timeout",
            CloseReason::SlowConsumer => "slow_consumer",
            CloseReason::Internal => "internal_error",
        }
    }

    /// Words for people.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            CloseReason::ClientGone => "the client closed the connection",
            CloseReason::Shutdown => "the server is shutting down; reconnect and resume with your last seq",
            CloseReason::ServerFull => "too many connections; retry later",
            CloseReason::MessageTooLarge => "a message was larger than the limit",
            CloseReason::Flood => "too many messages; slow down",
            CloseReason::IdleTimeout => "nothing received for too long",
            CloseReason::SlowConsumer => "the client did not keep up; reconnect and resume with your last seq",
            CloseReason::Internal => "internal error",
        }
    }

    /// Whether the server still tries to send a `closing` message and a close frame.
    #[must_use]
    pub const fn says_goodbye(self) -> bool {
        !matches!(self, CloseReason::ClientGone)
    }
}

/// Shared by the tasks of one connection.
#[derive(Clone, Debug, Default)]
pub struct Closer {
    reason: Arc<OnceLock<CloseReason>>,
    token: CancellationToken,
}

impl Closer {
    /// A closer that also closes (with [`CloseReason::Shutdown`]) when `shutdown` fires.
    #[must_use]
    pub fn child_of(shutdown: &CancellationToken) -> Self {
        Self { reason: Arc::default(), token: shutdown.child_token() }
    }

    /// Asks the connection to close; the first reason is kept (a server shutdown that came
    /// first counts as the first reason).
    pub fn close(&self, reason: CloseReason) {
        let _ = self.reason.set(if self.token.is_cancelled() { CloseReason::Shutdown } else { reason });
        self.token.cancel();
    }

    /// The reason, once closing.
    #[must_use]
    pub fn reason(&self) -> Option<CloseReason> {
        if let Some(reason) = self.reason.get() {
            return Some(*reason);
        }
        // Cancelled without a reason: only the parent (server shutdown) does that, since
        // `close` sets the reason before cancelling.
        if self.token.is_cancelled() {
            return Some(*self.reason.get_or_init(|| CloseReason::Shutdown));
        }
        None
    }

    /// Resolves when the connection is closing.
    pub async fn closing(&self) {
        self.token.cancelled().await;
    }

    /// Whether the connection is closing.
    #[must_use]
    pub fn is_closing(&self) -> bool {
        self.token.is_cancelled()
    }
}
