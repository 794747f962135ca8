//! Decisions: given the state, a command and `now`, the events to apply or a rejection.
//! Nothing here changes the map; the caller applies the returned events.

use boxoffice_storage::{
    BookingId, BookingLine, BookingRecord, CancelReason, CustomerId, HoldEnd, HoldId, Money, PaymentId, SeatEvent,
    SeatIndex, ShowtimeStatus, Timestamp,
};

use super::{SeatMap, ShowtimeInfo, Slot, labels};
use crate::error::EngineError;
use crate::view::{HoldRequest, Requester, TierChoice};

/// What a purchase will charge, computed before the wallet is debited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurchasePlan {
    /// The hold being bought.
    pub hold_id: HoldId,
    /// The buyer.
    pub owner: CustomerId,
    /// One line per ticket.
    pub lines: Vec<BookingLine>,
    /// Sum of the lines.
    pub total: Money,
}

impl SeatMap {
    /// Refuses any sale on a cancelled or started showtime.
    fn ensure_on_sale(&self, info: &ShowtimeInfo, now: Timestamp) -> Result<(), EngineError> {
        if self.closed || info.status == ShowtimeStatus::Cancelled {
            return Err(EngineError::NotOnSale("the showtime is cancelled"));
        }
        if now >= info.starts_at {
            return Err(EngineError::NotOnSale("the showtime has started"));
        }
        Ok(())
    }

    /// Holds seats or tickets for `owner`, ending their previous hold in the same decision.
    ///
    /// # Errors
    /// `NotOnSale`, `InvalidRequest`, `UnknownSeats`, `SoldOut`, `SeatsUnavailable`,
    /// `NotEnoughTickets`.
    #[allow(clippy::too_many_arguments)]
    pub fn decide_hold(
        &self,
        info: &ShowtimeInfo,
        owner: CustomerId,
        request: &HoldRequest,
        hold_id: HoldId,
        now: Timestamp,
        ttl_ms: u64,
        seats_max: u32,
    ) -> Result<Vec<SeatEvent>, EngineError> {
        self.ensure_on_sale(info, now)?;
        let previous = self.hold_of(owner);
        let (seats, quantity) = match request {
            HoldRequest::Seats(requested) => {
                let seats = self.resolve_seats(info, requested, seats_max)?;
                let mine = |s: &SeatIndex| previous.is_some_and(|h| h.seats.contains(s));
                let taken: Vec<SeatIndex> =
                    seats.iter().copied().filter(|s| self.slot(*s) != Some(Slot::Free) && !mine(s)).collect();
                let own = previous.map_or(0, |h| h.quantity);
                if !taken.is_empty() && self.counts.free + own == 0 {
                    return Err(EngineError::SoldOut);
                }
                if !taken.is_empty() {
                    return Err(EngineError::SeatsUnavailable(labels(info, &taken)));
                }
                let quantity = u32::try_from(seats.len()).unwrap_or(u32::MAX);
                (seats, quantity)
            }
            HoldRequest::Quantity(quantity) => {
                if self.is_reserved() {
                    return Err(EngineError::InvalidRequest(
                        "this showtime has reserved seating: name the seats".into(),
                    ));
                }
                if *quantity == 0 || *quantity > seats_max {
                    return Err(EngineError::InvalidRequest(format!("quantity must be 1 to {seats_max}")));
                }
                let available = self.counts.free + previous.map_or(0, |h| h.quantity);
                if available == 0 {
                    return Err(EngineError::SoldOut);
                }
                if *quantity > available {
                    return Err(EngineError::NotEnoughTickets { available });
                }
                (Vec::new(), *quantity)
            }
        };
        let mut events = Vec::with_capacity(2);
        if let Some(previous) = previous {
            events.push(SeatEvent::HoldEnded { hold_id: previous.id, reason: HoldEnd::Replaced });
        }
        let ttl = i64::try_from(ttl_ms).unwrap_or(i64::MAX);
        events.push(SeatEvent::HoldPlaced { hold_id, owner, seats, quantity, expires_at: now.plus_millis(ttl) });
        Ok(events)
    }

    /// Seat labels to indexes: 1..=max, unique, all known.
    fn resolve_seats(
        &self,
        info: &ShowtimeInfo,
        requested: &[String],
        max: u32,
    ) -> Result<Vec<SeatIndex>, EngineError> {
        let layout = match (&info.layout, self.is_reserved()) {
            (Some(layout), true) => layout,
            _ => {
                return Err(EngineError::InvalidRequest("general admission: ask for a quantity, not seats".into()));
            }
        };
        if requested.is_empty() || requested.len() > max as usize {
            return Err(EngineError::InvalidRequest(format!("hold 1 to {max} seats")));
        }
        let mut seats = Vec::with_capacity(requested.len());
        let mut unknown = Vec::new();
        for label in requested {
            match layout.find(label) {
                Some(seat) if seats.contains(&seat) => {
                    return Err(EngineError::InvalidRequest(format!("seat {label} is named twice")));
                }
                Some(seat) => seats.push(seat),
                None => unknown.push(label.clone()),
            }
        }
        if unknown.is_empty() { Ok(seats) } else { Err(EngineError::UnknownSeats(unknown)) }
    }

    /// Releases the owner's hold.
    ///
    /// # Errors
    /// `HoldNotFound` if `hold_id` is not the owner's live hold.
    pub fn decide_release(&self, owner: CustomerId, hold_id: HoldId) -> Result<Vec<SeatEvent>, EngineError> {
        match self.hold(hold_id) {
            Some(hold) if hold.owner == owner => Ok(vec![SeatEvent::HoldEnded { hold_id, reason: HoldEnd::Released }]),
            _ => Err(EngineError::HoldNotFound),
        }
    }

    /// Prices a purchase of the owner's hold: one tier per ticket; no tiers means the first
    /// tier of the price list for every ticket.
    ///
    /// # Errors
    /// `NotOnSale`, `HoldNotFound`, `UnknownTier`, `InvalidRequest`.
    pub fn plan_purchase(
        &self,
        info: &ShowtimeInfo,
        owner: CustomerId,
        hold_id: HoldId,
        tiers: &[TierChoice],
        now: Timestamp,
    ) -> Result<PurchasePlan, EngineError> {
        self.ensure_on_sale(info, now)?;
        // A hold past its time is over, even before the actor's next tick removes it.
        let hold =
            self.hold(hold_id).filter(|h| h.owner == owner && h.expires_at > now).ok_or(EngineError::HoldNotFound)?;
        let seat_labels = labels(info, &hold.seats);
        let tier_names = assign_tiers(info, &seat_labels, hold.quantity, tiers)?;
        let mut total = Money::zero(info.prices.currency);
        let mut lines = Vec::with_capacity(tier_names.len());
        for (i, tier) in tier_names.into_iter().enumerate() {
            let price = info.prices.price(&tier).ok_or_else(|| EngineError::UnknownTier(tier.clone()))?;
            total = total.checked_add(price).map_err(|e| EngineError::InvalidRequest(e.to_string()))?;
            let label = seat_labels.get(i).cloned().unwrap_or_else(|| "GA".into());
            lines.push(BookingLine { seat: hold.seats.get(i).copied(), label, tier, price });
        }
        Ok(PurchasePlan { hold_id, owner, lines, total })
    }

    /// Turns a paid hold into a booking.
    ///
    /// # Errors
    /// `HoldNotFound` if the hold ended meanwhile; `NotOnSale` if the showtime closed.
    pub fn decide_confirm(
        &self,
        info: &ShowtimeInfo,
        plan: &PurchasePlan,
        ids: (BookingId, PaymentId),
        reference: String,
        now: Timestamp,
    ) -> Result<Vec<SeatEvent>, EngineError> {
        if self.closed {
            return Err(EngineError::NotOnSale("the showtime is cancelled"));
        }
        let hold = self.hold(plan.hold_id).filter(|h| h.owner == plan.owner).ok_or(EngineError::HoldNotFound)?;
        debug_assert_eq!(hold.quantity as usize, plan.lines.len());
        let booking = BookingRecord {
            id: ids.0,
            reference,
            showtime_id: info.id,
            customer_id: plan.owner,
            hold_id: plan.hold_id,
            payment_id: ids.1,
            lines: plan.lines.clone(),
            total: plan.total,
            created_at: now,
        };
        Ok(vec![SeatEvent::BookingConfirmed { booking }])
    }

    /// Cancels a booking: customers until `cutoff_ms` before the start, staff until the start.
    ///
    /// # Errors
    /// `BookingNotFound` (also for someone else's booking), `AlreadyCancelled`,
    /// `CancellationClosed`.
    pub fn decide_cancel(
        &self,
        info: &ShowtimeInfo,
        booking_id: BookingId,
        requester: Requester,
        now: Timestamp,
        cutoff_ms: u64,
    ) -> Result<Vec<SeatEvent>, EngineError> {
        let entry = self.booking(booking_id).ok_or(EngineError::BookingNotFound)?;
        let (deadline, reason) = match requester {
            Requester::Customer(c) if c != entry.customer => return Err(EngineError::BookingNotFound),
            Requester::Customer(_) => {
                (info.starts_at.minus_millis(i64::try_from(cutoff_ms).unwrap_or(i64::MAX)), CancelReason::Customer)
            }
            Requester::Staff => (info.starts_at, CancelReason::Staff),
        };
        if entry.cancelled {
            return Err(EngineError::AlreadyCancelled);
        }
        if now > deadline {
            return Err(EngineError::CancellationClosed { deadline });
        }
        Ok(vec![SeatEvent::BookingCancelled { booking_id, reason }])
    }

    /// Holds that lapsed at `now`, except those whose payment is in flight.
    #[must_use]
    pub fn decide_expiry(&self, now: Timestamp, paying: impl Fn(HoldId) -> bool) -> Vec<SeatEvent> {
        self.expired_holds(now)
            .filter(|id| !paying(*id))
            .map(|hold_id| SeatEvent::HoldEnded { hold_id, reason: HoldEnd::Expired })
            .collect()
    }

    /// Blocks or unblocks seats (staff). Only free seats can be blocked.
    ///
    /// # Errors
    /// `UnknownSeats`, `InvalidRequest`, `SeatsUnavailable`.
    pub fn decide_block(
        &self,
        info: &ShowtimeInfo,
        requested: &[String],
        blocked: bool,
    ) -> Result<Vec<SeatEvent>, EngineError> {
        let seats = self.resolve_seats(info, requested, 500)?;
        let from = if blocked { Slot::Free } else { Slot::Blocked };
        let wrong: Vec<SeatIndex> = seats.iter().copied().filter(|s| self.slot(*s) != Some(from)).collect();
        if !wrong.is_empty() {
            return Err(EngineError::SeatsUnavailable(labels(info, &wrong)));
        }
        Ok(vec![if blocked { SeatEvent::SeatsBlocked { seats } } else { SeatEvent::SeatsUnblocked { seats } }])
    }

    /// Closes the showtime: ends every hold, cancels every confirmed booking.
    #[must_use]
    pub fn decide_close(&self) -> Vec<SeatEvent> {
        let mut events: Vec<SeatEvent> = self
            .holds
            .keys()
            .map(|hold_id| SeatEvent::HoldEnded { hold_id: *hold_id, reason: HoldEnd::ShowtimeCancelled })
            .collect();
        let mut bookings: Vec<BookingId> =
            self.bookings.iter().filter(|(_, b)| !b.cancelled).map(|(id, _)| *id).collect();
        bookings.sort_unstable();
        events.extend(
            bookings
                .into_iter()
                .map(|booking_id| SeatEvent::BookingCancelled { booking_id, reason: CancelReason::ShowtimeCancelled }),
        );
        if !self.closed {
            events.push(SeatEvent::ShowtimeClosed);
        }
        events
    }
}

/// Matches tier choices to the tickets of a hold.
fn assign_tiers(
    info: &ShowtimeInfo,
    seat_labels: &[String],
    quantity: u32,
    tiers: &[TierChoice],
) -> Result<Vec<String>, EngineError> {
    if tiers.is_empty() {
        let first = info.prices.tiers.first().ok_or_else(|| EngineError::UnknownTier(String::new()))?;
        return Ok(vec![first.tier.clone(); quantity as usize]);
    }
    if tiers.len() != quantity as usize {
        return Err(EngineError::InvalidRequest(format!(
            "give one tier per ticket: {quantity} tickets, {} tiers",
            tiers.len()
        )));
    }
    if seat_labels.is_empty() {
        if let Some(seat) = tiers.iter().find_map(|t| t.seat.as_deref()) {
            return Err(EngineError::InvalidRequest(format!(
                "general admission has no seats: give tiers without `seat` (got {seat:?})"
            )));
        }
        return Ok(tiers.iter().map(|t| t.tier.clone()).collect());
    }
    // Every tier names a seat of the hold, once; then every seat has its tier.
    let mut named = std::collections::HashSet::new();
    for tier in tiers {
        let Some(seat) = tier.seat.as_deref() else {
            return Err(EngineError::InvalidRequest("give the `seat` of every tier (reserved seating)".into()));
        };
        if !seat_labels.iter().any(|label| label.eq_ignore_ascii_case(seat)) {
            return Err(EngineError::InvalidRequest(format!("seat {seat} is not in this hold")));
        }
        if !named.insert(seat.to_ascii_uppercase()) {
            return Err(EngineError::InvalidRequest(format!("seat {seat} has two tiers")));
        }
    }
    seat_labels
        .iter()
        .map(|label| {
            tiers
                .iter()
                .find(|t| t.seat.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(label)))
                .map(|t| t.tier.clone())
                .ok_or_else(|| EngineError::InvalidRequest(format!("no tier given for seat {label}")))
        })
        .collect()
}
