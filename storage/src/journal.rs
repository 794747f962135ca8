//! The showtime journal: the events a showtime actor decides, in order.
//!
//! A showtime's seat map is the fold of its journal; the actor appends a batch of entries
//! in one storage write (group commit) and rebuilds its state by replaying them after a
//! restart. Bookings are also kept as rows for queries, derived by the backend from
//! [`SeatEvent::BookingConfirmed`] and [`SeatEvent::BookingCancelled`] in the same write.

use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, CustomerId, HoldId, PaymentId, SeatIndex, ShowtimeId};
use crate::money::Money;
use crate::time::Timestamp;

/// One journal entry: an event with its per-showtime sequence number and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number within the showtime, from 1, without gaps.
    pub seq: u64,
    /// When the event was decided.
    pub at: Timestamp,
    /// What happened.
    pub event: SeatEvent,
}

/// Why a hold ended without becoming a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldEnd {
    /// The customer released it.
    Released,
    /// Its time ran out.
    Expired,
    /// The customer placed a new hold on the same showtime.
    Replaced,
    /// The showtime was cancelled.
    ShowtimeCancelled,
}

/// Who or what cancelled a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The customer cancelled it.
    Customer,
    /// Staff cancelled it.
    Staff,
    /// The cinema cancelled the whole showtime.
    ShowtimeCancelled,
}

/// One state change of a showtime's inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SeatEvent {
    /// Seats (or a quantity, for general admission) were held.
    HoldPlaced {
        /// The hold.
        hold_id: HoldId,
        /// Who holds.
        owner: CustomerId,
        /// The seats (empty for general admission).
        seats: Vec<SeatIndex>,
        /// Number of tickets (equals `seats.len()` for reserved seating).
        quantity: u32,
        /// When the hold lapses.
        expires_at: Timestamp,
    },
    /// A hold ended without a purchase.
    HoldEnded {
        /// The hold.
        hold_id: HoldId,
        /// Why.
        reason: HoldEnd,
    },
    /// A hold was paid and became a booking.
    BookingConfirmed {
        /// The booking.
        booking: BookingRecord,
    },
    /// A booking was cancelled; its seats are free again and it is to be refunded.
    BookingCancelled {
        /// The booking.
        booking_id: BookingId,
        /// Why.
        reason: CancelReason,
    },
    /// Staff blocked seats (broken, house seats).
    SeatsBlocked {
        /// The seats.
        seats: Vec<SeatIndex>,
    },
    /// Staff released blocked seats.
    SeatsUnblocked {
        /// The seats.
        seats: Vec<SeatIndex>,
    },
    /// The showtime was cancelled; nothing can be sold any more.
    ShowtimeClosed,
}

/// One ticket of a booking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingLine {
    /// The seat, or `None` for general admission.
    pub seat: Option<SeatIndex>,
    /// Seat label such as `F12`, or `GA` for general admission.
    pub label: String,
    /// Price tier name.
    pub tier: String,
    /// Price paid.
    pub price: Money,
}

/// A confirmed booking as decided by the showtime actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingRecord {
    /// Its id.
    pub id: BookingId,
    /// Short human reference, e.g. `K7Q-M2XD`.
    pub reference: String,
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// Who booked.
    pub customer_id: CustomerId,
    /// The hold it came from.
    pub hold_id: HoldId,
    /// The payment that paid it.
    pub payment_id: PaymentId,
    /// One line per ticket.
    pub lines: Vec<BookingLine>,
    /// Sum of the lines.
    pub total: Money,
    /// When it was confirmed.
    pub created_at: Timestamp,
}

/// State of a booking in queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Paid and valid.
    Confirmed,
    /// Cancelled (and refunded or about to be).
    Cancelled,
}

/// A booking as returned by queries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Booking {
    /// What was decided at purchase.
    #[serde(flatten)]
    pub record: BookingRecord,
    /// Confirmed or cancelled.
    pub status: BookingStatus,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<Timestamp>,
    /// Why it was cancelled, if it was.
    pub cancel_reason: Option<CancelReason>,
}
