//! The seat map: a showtime's inventory as a plain, synchronous state machine.
//!
//! No I/O and no clock: every decision takes `now` as an argument. The state is the fold
//! of the showtime's journal: [`SeatMap::decide_*`](SeatMap) functions look at the state
//! and return the [`SeatEvent`]s a command produces (or a rejection), and
//! [`SeatMap::apply`] applies one event. The actor applies decided events at once (so the
//! next command sees them), journals them, and after a restart replays the journal through
//! the same [`SeatMap::apply`]. Invariants are checked after every applied event.
//!
//! Reserved seating keeps one [`Slot`] per seat; general admission keeps counts only.

mod apply;
mod decide;
mod invariants;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use boxoffice_storage::{
    BookingId, CustomerId, HoldId, Money, PaymentId, PriceList, SeatIndex, SeatLayout, Seating, ShowtimeId,
    ShowtimeStatus, Timestamp,
};

pub use self::apply::ReplayError;
pub use self::decide::PurchasePlan;
pub use self::invariants::check as check_invariants;
use crate::view::{Counts, HoldView, SeatMapView, SeatStatus, SeatView};

/// What one seat is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Available.
    Free,
    /// Held by a hold.
    Held(HoldId),
    /// Sold in a booking.
    Sold(BookingId),
    /// Blocked by staff.
    Blocked,
}

/// A live hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// Its id.
    pub id: HoldId,
    /// Who holds.
    pub owner: CustomerId,
    /// The seats (empty for general admission).
    pub seats: Vec<SeatIndex>,
    /// Tickets held.
    pub quantity: u32,
    /// When it lapses.
    pub expires_at: Timestamp,
}

/// What the seat map remembers of a booking (the full record lives in storage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookedEntry {
    /// Who booked.
    pub customer: CustomerId,
    /// Seats sold (empty for general admission).
    pub seats: Vec<SeatIndex>,
    /// Tickets sold.
    pub quantity: u32,
    /// The payment to refund on cancellation.
    pub payment_id: PaymentId,
    /// What was paid.
    pub total: Money,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

/// The showtime details a seat map decides against; they can change (reschedule, prices)
/// without touching the inventory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShowtimeInfo {
    /// The showtime.
    pub id: ShowtimeId,
    /// Start time: no sales after it.
    pub starts_at: Timestamp,
    /// Scheduled or cancelled.
    pub status: ShowtimeStatus,
    /// Reserved or general admission.
    pub seating: Seating,
    /// Prices.
    pub prices: PriceList,
    /// The auditorium layout (reserved seating only).
    pub layout: Option<Arc<SeatLayout>>,
}

/// A showtime's inventory. Cloning is cheap enough to snapshot a map of a few thousand
/// seats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatMap {
    slots: Vec<Slot>,
    capacity: u32,
    counts: Counts,
    holds: HashMap<HoldId, Hold>,
    hold_of_owner: HashMap<CustomerId, HoldId>,
    expiry: BTreeSet<(Timestamp, HoldId)>,
    bookings: HashMap<BookingId, BookedEntry>,
    closed: bool,
    seq: u64,
}

impl SeatMap {
    /// An empty map for a showtime: every seat free.
    #[must_use]
    pub fn new(info: &ShowtimeInfo) -> Self {
        let (slots, capacity) = match (info.seating, &info.layout) {
            (Seating::Reserved, Some(layout)) => {
                let n = layout.capacity();
                (vec![Slot::Free; n], u32::try_from(n).unwrap_or(u32::MAX))
            }
            (Seating::GeneralAdmission { capacity }, _) => (Vec::new(), capacity),
            (Seating::Reserved, None) => (Vec::new(), 0),
        };
        Self {
            slots,
            capacity,
            counts: Counts { capacity, free: capacity, ..Counts::default() },
            holds: HashMap::new(),
            hold_of_owner: HashMap::new(),
            expiry: BTreeSet::new(),
            bookings: HashMap::new(),
            closed: info.status == ShowtimeStatus::Cancelled,
            seq: 0,
        }
    }

    /// Whether this map sells seats (as opposed to general-admission tickets).
    #[must_use]
    pub fn is_reserved(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Sequence number of the last applied journal entry.
    #[must_use]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Inventory counts.
    #[must_use]
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Whether the showtime was closed (cancelled).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The slot of one seat.
    #[must_use]
    pub fn slot(&self, seat: SeatIndex) -> Option<Slot> {
        self.slots.get(seat.get()).copied()
    }

    /// A hold by id.
    #[must_use]
    pub fn hold(&self, id: HoldId) -> Option<&Hold> {
        self.holds.get(&id)
    }

    /// The current hold of an owner.
    #[must_use]
    pub fn hold_of(&self, owner: CustomerId) -> Option<&Hold> {
        self.hold_of_owner.get(&owner).and_then(|id| self.holds.get(id))
    }

    /// Number of live holds.
    #[must_use]
    pub fn hold_count(&self) -> usize {
        self.holds.len()
    }

    /// A booking by id.
    #[must_use]
    pub fn booking(&self, id: BookingId) -> Option<&BookedEntry> {
        self.bookings.get(&id)
    }

    /// Holds that have lapsed at `now`, earliest first.
    pub fn expired_holds(&self, now: Timestamp) -> impl Iterator<Item = HoldId> + '_ {
        self.expiry.iter().take_while(move |(at, _)| *at <= now).map(|(_, id)| *id)
    }

    /// The customer's view of a hold.
    #[must_use]
    pub fn hold_view(&self, info: &ShowtimeInfo, hold: &Hold) -> HoldView {
        HoldView {
            hold_id: hold.id,
            showtime_id: info.id,
            seats: labels(info, &hold.seats),
            quantity: hold.quantity,
            expires_at: hold.expires_at,
        }
    }

    /// The public seat map.
    #[must_use]
    pub fn view(&self, info: &ShowtimeInfo) -> SeatMapView {
        let seats = match &info.layout {
            Some(layout) if self.is_reserved() => layout
                .seats()
                .iter()
                .zip(&self.slots)
                .map(|(seat, slot)| SeatView {
                    label: seat.label.clone(),
                    row: seat.row.clone(),
                    number: seat.number,
                    row_index: seat.row_index,
                    column: seat.column,
                    kind: seat.kind,
                    status: status_of(*slot),
                })
                .collect(),
            _ => Vec::new(),
        };
        SeatMapView {
            showtime_id: info.id,
            seq: self.seq,
            starts_at: info.starts_at,
            status: if self.closed { ShowtimeStatus::Cancelled } else { info.status },
            seating: info.seating,
            counts: self.counts,
            prices: info.prices.clone(),
            seats,
        }
    }
}

/// The public status of a slot.
#[must_use]
pub fn status_of(slot: Slot) -> SeatStatus {
    match slot {
        Slot::Free => SeatStatus::Free,
        Slot::Held(_) => SeatStatus::Held,
        Slot::Sold(_) => SeatStatus::Sold,
        Slot::Blocked => SeatStatus::Blocked,
    }
}

/// Seat labels for indexes (unknown indexes are shown by number).
#[must_use]
pub fn labels(info: &ShowtimeInfo, seats: &[SeatIndex]) -> Vec<String> {
    seats
        .iter()
        .map(|s| {
            info.layout
                .as_ref()
                .and_then(|l| l.seat(*s))
                .map_or_else(|| format!("#{}", s.get()), |seat| seat.label.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests;
