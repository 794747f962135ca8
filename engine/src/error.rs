//! Engine errors: every way a booking decision can be refused or fail, each with a stable
//! machine code for clients.

use boxoffice_storage::{Money, StorageError, Timestamp};

/// Why the engine refused or could not complete a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No such showtime (or it was deleted).
    #[error("showtime not found")]
    ShowtimeNotFound,
    /// The showtime is cancelled or has started; nothing can be sold or changed.
    #[error("showtime is not on sale: {0}")]
    NotOnSale(&'static str),
    /// Seat labels that do not exist in the auditorium.
    #[error("unknown seats: {}", .0.join(", "))]
    UnknownSeats(Vec<String>),
    /// The request is malformed for this showtime (e.g. seats for general admission).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Some seats are held or sold by someone else.
    #[error("seats unavailable: {}", .0.join(", "))]
    SeatsUnavailable(Vec<String>),
    /// Nothing left to sell (or not as many tickets as asked).
    #[error("sold out")]
    SoldOut,
    /// General admission: fewer tickets left than asked for.
    #[error("only {available} tickets left")]
    NotEnoughTickets {
        /// Tickets that can still be held.
        available: u32,
    },
    /// The hold does not exist, belongs to someone else, or has ended.
    #[error("hold not found or expired")]
    HoldNotFound,
    /// A purchase of this hold is already being paid (a second one would charge twice).
    #[error("a purchase of this hold is already under way; wait for its answer")]
    PaymentInProgress,
    /// A tier name not on the showtime's price list.
    #[error("unknown price tier {0:?}")]
    UnknownTier(String),
    /// The wallet does not cover the price.
    #[error("insufficient balance: {balance} available, {needed} needed")]
    InsufficientBalance {
        /// What the wallet holds.
        balance: Money,
        /// What the booking costs.
        needed: Money,
    },
    /// No such booking for this principal.
    #[error("booking not found")]
    BookingNotFound,
    /// The booking is already cancelled.
    #[error("booking already cancelled")]
    AlreadyCancelled,
    /// Too late to cancel.
    #[error("cancellation closed at {deadline}")]
    CancellationClosed {
        /// The last moment a cancellation was accepted.
        deadline: Timestamp,
    },
    /// The showtime's mailbox is full; retry after a short pause.
    #[error("showtime is overloaded, retry shortly")]
    Overloaded,
    /// Storage could not make the decision durable; nothing was changed.
    #[error("storage unavailable")]
    StorageUnavailable(String),
    /// Another engine node owns the showtime (or took it over from this one); the request
    /// belongs there. Retry: the gateway forwards it to the owner.
    #[error("another node owns this showtime; retry shortly")]
    NotOwner,
    /// The showtime did not answer in time; the outcome is unknown to the caller (it is
    /// still either fully applied or not at all).
    #[error("timed out waiting for the showtime")]
    Timeout,
}

impl EngineError {
    /// A stable, machine-readable code (`seats_unavailable`, `sold_out`, ...).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            EngineError::ShowtimeNotFound => "showtime_not_found",
            EngineError::NotOnSale(_) => "not_on_sale",
            EngineError::UnknownSeats(_) => "unknown_seats",
            EngineError::InvalidRequest(_) => "invalid_request",
            EngineError::SeatsUnavailable(_) => "seats_unavailable",
            EngineError::SoldOut => "sold_out",
            EngineError::NotEnoughTickets { .. } => "not_enough_tickets",
            EngineError::HoldNotFound => "hold_not_found",
            EngineError::PaymentInProgress => "payment_in_progress",
            EngineError::UnknownTier(_) => "unknown_tier",
            EngineError::InsufficientBalance { .. } => "insufficient_balance",
            EngineError::BookingNotFound => "booking_not_found",
            EngineError::AlreadyCancelled => "already_cancelled",
            EngineError::CancellationClosed { .. } => "cancellation_closed",
            EngineError::Overloaded => "overloaded",
            EngineError::StorageUnavailable(_) => "storage_unavailable",
            EngineError::NotOwner => "not_owner",
            EngineError::Timeout => "timeout",
        }
    }
}

impl From<StorageError> for EngineError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Overloaded => EngineError::Overloaded,
            StorageError::Fenced { .. } => EngineError::NotOwner,
            other => EngineError::StorageUnavailable(other.to_string()),
        }
    }
}
