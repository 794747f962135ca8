//! What the engine answers with: read-only views of seat maps, holds and requests that
//! callers build. Serializable so the gateway can send them as JSON unchanged.

use boxoffice_storage::{HoldId, PriceList, SeatKind, Seating, ShowtimeId, ShowtimeStatus, Timestamp};
use serde::{Deserialize, Serialize};

/// The public state of one seat (who holds it is never shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    /// Can be held.
    Free,
    /// Held by a customer (possibly paying).
    Held,
    /// Sold.
    Sold,
    /// Blocked by staff.
    Blocked,
}

/// One seat on a seat map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatView {
    /// Label such as `F12`.
    pub label: String,
    /// Row label.
    pub row: String,
    /// Number within the row.
    pub number: u16,
    /// Row index from the screen, for drawing.
    pub row_index: u16,
    /// Column including gaps, for drawing.
    pub column: u16,
    /// Seat type.
    pub kind: SeatKind,
    /// Current state.
    pub status: SeatStatus,
}

/// Counts of a showtime's inventory; `free + held + sold + blocked = capacity`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Seats or tickets in total.
    pub capacity: u32,
    /// Available now.
    pub free: u32,
    /// Held by customers.
    pub held: u32,
    /// Sold.
    pub sold: u32,
    /// Blocked by staff.
    pub blocked: u32,
}

/// A showtime's seat map, served from the actor's memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatMapView {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// Sequence number of the last journal entry reflected here.
    pub seq: u64,
    /// Start time.
    pub starts_at: Timestamp,
    /// Scheduled or cancelled.
    pub status: ShowtimeStatus,
    /// Reserved or general admission.
    pub seating: Seating,
    /// Inventory counts.
    pub counts: Counts,
    /// Prices.
    pub prices: PriceList,
    /// Every seat (empty for general admission).
    pub seats: Vec<SeatView>,
}

/// What to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldRequest {
    /// These seats, by label (reserved seating).
    Seats(Vec<String>),
    /// This many tickets (general admission).
    Quantity(u32),
}

/// A hold as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldView {
    /// The hold.
    pub hold_id: HoldId,
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// Seat labels (empty for general admission).
    pub seats: Vec<String>,
    /// Number of tickets.
    pub quantity: u32,
    /// When it lapses unless purchased.
    pub expires_at: Timestamp,
}

/// The price tier chosen for one ticket of a purchase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierChoice {
    /// The seat label (reserved seating); omitted for general admission.
    #[serde(default)]
    pub seat: Option<String>,
    /// The tier name, e.g. `full`, `child`.
    pub tier: String,
}

/// Who asks for a cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requester {
    /// The customer who owns the booking; bound by the cancellation cut-off.
    Customer(boxoffice_storage::CustomerId),
    /// Staff; may cancel any booking of a showtime that has not started.
    Staff,
}

/// The result of cancelling a whole showtime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowtimeCancellation {
    /// Bookings cancelled and refunded.
    pub bookings_refunded: u32,
    /// Holds ended.
    pub holds_ended: u32,
}
