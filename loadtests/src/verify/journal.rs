//! A showtime's journal replayed by a model of its own, independent of the engine's seat
//! map: which seat is free, held (by which hold, until when) or sold (in which booking), and
//! every event that contradicts the model (a hold on a taken seat, a sale of a seat its hold
//! did not hold, a seat sold twice, a gap in the sequence numbers).

use std::collections::HashMap;

use boxoffice_storage::{JournalEntry, SeatEvent};

/// One seat in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Free.
    Free,
    /// Held by this hold until this time (ms since the epoch).
    Held(String, i64),
    /// Sold in this booking.
    Sold(String),
    /// Blocked by staff.
    Blocked,
}

/// The replayed state of a showtime.
#[derive(Debug, Default)]
pub struct Replayed {
    /// Seats by index (grown as events name them).
    pub seats: Vec<Slot>,
    /// Bookings: id → (confirmed, seat indexes).
    pub bookings: HashMap<String, (bool, Vec<usize>)>,
    /// Live holds: id → seats.
    holds: HashMap<String, Vec<usize>>,
    /// Events that contradict the model.
    pub violations: Vec<String>,
    /// The last sequence number.
    pub seq: u64,
}

impl Replayed {
    fn slot(&mut self, i: usize) -> &mut Slot {
        if self.seats.len() <= i {
            self.seats.resize(i + 1, Slot::Free);
        }
        &mut self.seats[i]
    }

    fn free(&mut self, seats: &[usize]) {
        for &s in seats {
            *self.slot(s) = Slot::Free;
        }
    }

    /// Applies one entry, noting any contradiction.
    pub fn apply(&mut self, entry: &JournalEntry) {
        if entry.seq != self.seq + 1 {
            self.violations.push(format!("journal gap: seq {} after {}", entry.seq, self.seq));
        }
        self.seq = entry.seq;
        match &entry.event {
            SeatEvent::HoldPlaced { hold_id, seats, expires_at, .. } => {
                let seats: Vec<usize> = seats.iter().map(|s| s.get()).collect();
                for &s in &seats {
                    if *self.slot(s) != Slot::Free {
                        self.violations.push(format!(
                            "seq {}: hold {hold_id} on seat #{s}, which is {:?}",
                            entry.seq, self.seats[s]
                        ));
                    }
                    *self.slot(s) = Slot::Held(hold_id.to_string(), expires_at.as_millis());
                }
                self.holds.insert(hold_id.to_string(), seats);
            }
            SeatEvent::HoldEnded { hold_id, .. } => match self.holds.remove(&hold_id.to_string()) {
                Some(seats) => self.free(&seats),
                None => self.violations.push(format!("seq {}: hold {hold_id} ended but is not live", entry.seq)),
            },
            SeatEvent::BookingConfirmed { booking } => self.confirm(entry.seq, booking),
            SeatEvent::BookingCancelled { booking_id, .. } => match self.bookings.get_mut(&booking_id.to_string()) {
                Some((live @ true, seats)) => {
                    *live = false;
                    let seats = seats.clone();
                    self.free(&seats);
                }
                _ => {
                    self.violations.push(format!("seq {}: booking {booking_id} cancelled but not confirmed", entry.seq))
                }
            },
            SeatEvent::SeatsBlocked { seats } => seats.iter().for_each(|s| *self.slot(s.get()) = Slot::Blocked),
            SeatEvent::SeatsUnblocked { seats } => seats.iter().for_each(|s| *self.slot(s.get()) = Slot::Free),
            SeatEvent::ShowtimeClosed => {}
        }
    }

    fn confirm(&mut self, seq: u64, booking: &boxoffice_storage::BookingRecord) {
        let hold = booking.hold_id.to_string();
        let id = booking.id.to_string();
        let seats: Vec<usize> = booking.lines.iter().filter_map(|l| l.seat.map(|s| s.get())).collect();
        let held = self.holds.remove(&hold).unwrap_or_default();
        for &s in &seats {
            match self.slot(s).clone() {
                Slot::Held(h, _) if h == hold => {}
                Slot::Sold(other) => {
                    self.violations.push(format!("seq {seq}: seat #{s} sold twice (bookings {other} and {id})"))
                }
                other => self.violations.push(format!(
                    "seq {seq}: booking {id} sells seat #{s}, which is {other:?}, not held by hold {hold}"
                )),
            }
            *self.slot(s) = Slot::Sold(id.clone());
        }
        if held.len() != seats.len() {
            self.violations.push(format!(
                "seq {seq}: booking {id} has {} seats, its hold had {}",
                seats.len(),
                held.len()
            ));
        }
        if self.bookings.insert(id.clone(), (true, seats)).is_some() {
            self.violations.push(format!("seq {seq}: booking {id} confirmed twice"));
        }
    }
}

/// Replays entries in order.
pub fn replay(entries: &[JournalEntry]) -> Replayed {
    let mut replayed = Replayed::default();
    for entry in entries {
        replayed.apply(entry);
    }
    replayed
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{
        BookingId, BookingLine, BookingRecord, Currency, CustomerId, HoldId, Money, PaymentId, SeatIndex, ShowtimeId,
        Timestamp,
    };

    use super::*;

    fn entry(seq: u64, event: SeatEvent) -> JournalEntry {
        JournalEntry { seq, at: Timestamp::from_millis(0), event }
    }

    fn hold(id: HoldId, seats: &[u16]) -> SeatEvent {
        let seats: Vec<SeatIndex> = seats.iter().copied().map(SeatIndex::new).collect();
        let quantity = seats.len() as u32;
        SeatEvent::HoldPlaced {
            hold_id: id,
            owner: CustomerId::new(),
            seats,
            quantity,
            expires_at: Timestamp::from_millis(1),
        }
    }

    fn sale(hold_id: HoldId, seats: &[u16]) -> SeatEvent {
        let lines = seats
            .iter()
            .map(|s| BookingLine {
                seat: Some(SeatIndex::new(*s)),
                label: format!("A{s}"),
                tier: "full".into(),
                price: Money::new(100, Currency::EUR),
            })
            .collect();
        let booking = BookingRecord {
            id: BookingId::new(),
            reference: "R".into(),
            showtime_id: ShowtimeId::new(),
            customer_id: CustomerId::new(),
            hold_id,
            payment_id: PaymentId::new(),
            lines,
            total: Money::new(100, Currency::EUR),
            created_at: Timestamp::from_millis(0),
        };
        SeatEvent::BookingConfirmed { booking }
    }

    #[test]
    fn a_clean_journal_replays_without_violations() {
        let h = HoldId::new();
        let r = replay(&[entry(1, hold(h, &[0, 1])), entry(2, sale(h, &[0, 1]))]);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
        assert!(matches!(r.seats[0], Slot::Sold(_)));
    }

    #[test]
    fn a_double_sale_and_a_gap_are_caught() {
        let (a, b) = (HoldId::new(), HoldId::new());
        let r = replay(&[
            entry(1, hold(a, &[0])),
            entry(2, sale(a, &[0])),
            entry(4, hold(b, &[0])),
            entry(5, sale(b, &[0])),
        ]);
        assert!(r.violations.iter().any(|v| v.contains("gap")), "{:?}", r.violations);
        assert!(r.violations.iter().any(|v| v.contains("hold") && v.contains("Sold")), "{:?}", r.violations);
    }
}
