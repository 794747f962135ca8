//! Applying journal events to a seat map. The same code runs for fresh decisions, for the
//! durable copy after a commit, and for replay after a restart, so an event is checked
//! before anything is changed: a bad event is refused whole.

use boxoffice_storage::{BookingId, BookingRecord, CustomerId, HoldId, JournalEntry, SeatEvent, SeatIndex, Timestamp};

use super::{BookedEntry, Hold, SeatMap, Slot};

/// A journal entry that cannot apply to this map: the journal and the map disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal entry {seq} does not apply: {reason}")]
pub struct ReplayError {
    /// Sequence number of the refused entry.
    pub seq: u64,
    /// Why.
    pub reason: String,
}

impl SeatMap {
    /// Applies one journal entry.
    ///
    /// # Errors
    /// The entry is out of sequence or contradicts the state; nothing was changed.
    pub fn apply(&mut self, entry: &JournalEntry) -> Result<(), ReplayError> {
        let fail = |reason: String| ReplayError { seq: entry.seq, reason };
        if entry.seq != self.seq + 1 {
            return Err(fail(format!("expected sequence {}", self.seq + 1)));
        }
        match &entry.event {
            SeatEvent::HoldPlaced { hold_id, owner, seats, quantity, expires_at } => {
                self.place_hold(*hold_id, *owner, seats, *quantity, *expires_at).map_err(fail)?;
            }
            SeatEvent::HoldEnded { hold_id, .. } => {
                self.end_hold(*hold_id).map_err(fail)?;
            }
            SeatEvent::BookingConfirmed { booking } => self.confirm(booking).map_err(fail)?,
            SeatEvent::BookingCancelled { booking_id, .. } => self.cancel(*booking_id).map_err(fail)?,
            SeatEvent::SeatsBlocked { seats } => self.set_blocked(seats, true).map_err(fail)?,
            SeatEvent::SeatsUnblocked { seats } => self.set_blocked(seats, false).map_err(fail)?,
            SeatEvent::ShowtimeClosed => self.closed = true,
        }
        self.seq = entry.seq;
        debug_assert_eq!(super::check_invariants(self), Ok(()));
        Ok(())
    }

    fn slots_are(&self, seats: &[SeatIndex], wanted: Slot) -> Result<(), String> {
        for seat in seats {
            match self.slots.get(seat.get()) {
                Some(slot) if *slot == wanted => {}
                Some(slot) => return Err(format!("seat #{} is {slot:?}, expected {wanted:?}", seat.get())),
                None => return Err(format!("seat #{} does not exist", seat.get())),
            }
        }
        let mut sorted = seats.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != seats.len() {
            return Err("a seat is named twice".into());
        }
        Ok(())
    }

    fn set_slots(&mut self, seats: &[SeatIndex], slot: Slot) {
        for seat in seats {
            if let Some(s) = self.slots.get_mut(seat.get()) {
                *s = slot;
            }
        }
    }

    fn place_hold(
        &mut self,
        id: HoldId,
        owner: CustomerId,
        seats: &[SeatIndex],
        quantity: u32,
        expires_at: Timestamp,
    ) -> Result<(), String> {
        if self.holds.contains_key(&id) || self.hold_of_owner.contains_key(&owner) {
            return Err("hold id in use or owner already holds".into());
        }
        if self.is_reserved() {
            if seats.len() != quantity as usize || seats.is_empty() {
                return Err("seat count does not match quantity".into());
            }
            self.slots_are(seats, Slot::Free)?;
        } else if !seats.is_empty() || quantity == 0 || quantity > self.counts.free {
            return Err(format!("cannot hold {quantity} of {} free tickets", self.counts.free));
        }
        self.set_slots(seats, Slot::Held(id));
        self.counts.free -= quantity;
        self.counts.held += quantity;
        self.holds.insert(id, Hold { id, owner, seats: seats.to_vec(), quantity, expires_at });
        self.hold_of_owner.insert(owner, id);
        self.expiry.insert((expires_at, id));
        Ok(())
    }

    fn end_hold(&mut self, id: HoldId) -> Result<Hold, String> {
        let hold = self.holds.remove(&id).ok_or_else(|| format!("hold {id} is not live"))?;
        self.hold_of_owner.remove(&hold.owner);
        self.expiry.remove(&(hold.expires_at, id));
        self.set_slots(&hold.seats, Slot::Free);
        self.counts.held -= hold.quantity;
        self.counts.free += hold.quantity;
        Ok(hold)
    }

    fn confirm(&mut self, booking: &BookingRecord) -> Result<(), String> {
        let hold = self.holds.get(&booking.hold_id).ok_or("booking's hold is not live")?;
        if hold.owner != booking.customer_id || booking.lines.len() != hold.quantity as usize {
            return Err("booking does not match its hold".into());
        }
        if self.bookings.contains_key(&booking.id) {
            return Err("booking id in use".into());
        }
        let hold = self.end_hold(booking.hold_id)?;
        self.set_slots(&hold.seats, Slot::Sold(booking.id));
        self.counts.free -= hold.quantity;
        self.counts.sold += hold.quantity;
        self.bookings.insert(
            booking.id,
            BookedEntry {
                customer: booking.customer_id,
                seats: hold.seats,
                quantity: hold.quantity,
                payment_id: booking.payment_id,
                total: booking.total,
                cancelled: false,
            },
        );
        Ok(())
    }

    fn cancel(&mut self, id: BookingId) -> Result<(), String> {
        let entry = self.bookings.get_mut(&id).ok_or("booking unknown")?;
        if entry.cancelled {
            return Err("booking already cancelled".into());
        }
        entry.cancelled = true;
        let (seats, quantity) = (entry.seats.clone(), entry.quantity);
        self.set_slots(&seats, Slot::Free);
        self.counts.sold -= quantity;
        self.counts.free += quantity;
        Ok(())
    }

    fn set_blocked(&mut self, seats: &[SeatIndex], blocked: bool) -> Result<(), String> {
        let (from, to) = if blocked { (Slot::Free, Slot::Blocked) } else { (Slot::Blocked, Slot::Free) };
        if seats.is_empty() {
            return Err("no seats".into());
        }
        self.slots_are(seats, from)?;
        self.set_slots(seats, to);
        let n = u32::try_from(seats.len()).map_err(|_| "too many seats")?;
        if blocked {
            self.counts.free -= n;
            self.counts.blocked += n;
        } else {
            self.counts.blocked -= n;
            self.counts.free += n;
        }
        Ok(())
    }
}
