//! Booking notices: the email a booking's confirmation or cancellation owes its customer,
//! recorded by the journal write that confirms or cancels it (on backends that can,
//! [`crate::Storage::records_booking_notices`]), so that a notice is never lost between
//! the commit and the email: a crash, a full queue or a rush only delays it.

use serde::{Deserialize, Serialize};

use crate::journal::Booking;

/// What happened to the booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// It was bought.
    Confirmed,
    /// It was cancelled (and refunded); the booking says why.
    Cancelled,
}

/// A notice waiting to be mailed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingNotice {
    /// Increases in the order the notices were recorded; acknowledging an id
    /// acknowledges every notice up to it.
    pub id: u64,
    /// Confirmation or cancellation.
    pub kind: NoticeKind,
    /// The booking as it is now.
    pub booking: Booking,
}
