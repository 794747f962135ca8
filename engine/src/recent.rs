//! Bookings this engine confirmed lately, kept so that a cancellation soon after the
//! purchase (the usual moment to change one's mind, and every cycle of the hot-showtime
//! bench) finds its showtime and its record without reading storage. A record never
//! changes once confirmed, so an entry cannot be stale; a booking that is not here (older,
//! made by another node or before a restart) is read from storage as before.
//!
//! Bounded by `engine.recent_bookings_max` entries (0 turns it off): when full, it is
//! emptied and fills again with the newest bookings.

use std::sync::Arc;

use boxoffice_storage::{BookingId, BookingRecord};
use dashmap::DashMap;

/// The recently confirmed bookings (see the module comment).
pub(crate) struct RecentBookings {
    records: DashMap<BookingId, Arc<BookingRecord>>,
    max: usize,
}

impl RecentBookings {
    /// An empty set holding at most `max` bookings.
    pub(crate) fn new(max: usize) -> Self {
        Self { records: DashMap::new(), max }
    }

    /// Remembers a booking just confirmed.
    pub(crate) fn remember(&self, record: &BookingRecord) {
        if self.max == 0 {
            return;
        }
        if self.records.len() >= self.max {
            self.records.clear();
        }
        self.records.insert(record.id, Arc::new(record.clone()));
    }

    /// The booking's record, if it was confirmed lately.
    pub(crate) fn get(&self, id: BookingId) -> Option<Arc<BookingRecord>> {
        self.records.get(&id).map(|entry| Arc::clone(entry.value()))
    }

    /// Forgets a booking (cancelled: it will not be cancelled again).
    pub(crate) fn forget(&self, id: BookingId) {
        self.records.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{CustomerId, HoldId, Money, PaymentId, ShowtimeId, Timestamp};

    use super::*;

    fn record() -> BookingRecord {
        BookingRecord {
            id: BookingId::new(),
            reference: "K7QM-2XD9".into(),
            showtime_id: ShowtimeId::new(),
            customer_id: CustomerId::new(),
            hold_id: HoldId::new(),
            payment_id: PaymentId::new(),
            lines: Vec::new(),
            total: Money::new(1200, boxoffice_storage::Currency::EUR),
            created_at: Timestamp::from_millis(1_900_000_000_000),
        }
    }

    #[test]
    fn remembers_until_forgotten() {
        let recent = RecentBookings::new(10);
        let booking = record();
        recent.remember(&booking);
        assert_eq!(recent.get(booking.id).as_deref(), Some(&booking));
        recent.forget(booking.id);
        assert!(recent.get(booking.id).is_none());
    }

    #[test]
    fn a_full_set_starts_over_with_the_newest() {
        let recent = RecentBookings::new(3);
        let old: Vec<BookingRecord> = (0..3).map(|_| record()).collect();
        old.iter().for_each(|b| recent.remember(b));
        assert!(old.iter().all(|b| recent.get(b.id).is_some()));
        let newest = record();
        recent.remember(&newest);
        assert!(recent.get(newest.id).is_some());
        assert!(old.iter().all(|b| recent.get(b.id).is_none()), "emptied when full");
    }

    #[test]
    fn zero_turns_it_off() {
        let recent = RecentBookings::new(0);
        let booking = record();
        recent.remember(&booking);
        assert!(recent.get(booking.id).is_none());
    }
}
