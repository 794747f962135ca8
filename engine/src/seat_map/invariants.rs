//! Invariants of a seat map, checked after every applied event in debug builds and by the
//! property tests: every seat is in exactly one state and the counts agree with the seats,
//! holds and bookings.

use super::{SeatMap, Slot};

/// Checks every invariant by a full scan.
///
/// # Errors
/// The first invariant found broken, in words.
pub fn check(map: &SeatMap) -> Result<(), String> {
    let c = map.counts;
    if c.free + c.held + c.sold + c.blocked != c.capacity || c.capacity != map.capacity {
        return Err(format!("counts do not add up to capacity: {c:?}"));
    }
    let held: u32 = map.holds.values().map(|h| h.quantity).sum();
    if held != c.held {
        return Err(format!("holds cover {held} tickets, counts say {}", c.held));
    }
    let sold: u32 = map.bookings.values().filter(|b| !b.cancelled).map(|b| b.quantity).sum();
    if sold != c.sold {
        return Err(format!("live bookings cover {sold} tickets, counts say {}", c.sold));
    }
    if map.hold_of_owner.len() != map.holds.len() || map.expiry.len() != map.holds.len() {
        return Err("hold indexes disagree with holds".into());
    }
    if map.is_reserved() {
        check_slots(map)?;
    }
    Ok(())
}

fn check_slots(map: &SeatMap) -> Result<(), String> {
    let (mut free, mut held, mut sold, mut blocked) = (0u32, 0u32, 0u32, 0u32);
    for (i, slot) in map.slots.iter().enumerate() {
        match slot {
            Slot::Free => free += 1,
            Slot::Blocked => blocked += 1,
            Slot::Held(h) => {
                held += 1;
                let owns = map.holds.get(h).is_some_and(|hold| hold.seats.iter().any(|s| s.get() == i));
                if !owns {
                    return Err(format!("seat #{i} held by {h}, which does not list it"));
                }
            }
            Slot::Sold(b) => {
                sold += 1;
                let owns = map.bookings.get(b).is_some_and(|e| !e.cancelled && e.seats.iter().any(|s| s.get() == i));
                if !owns {
                    return Err(format!("seat #{i} sold in {b}, which does not list it"));
                }
            }
        }
    }
    let c = map.counts;
    if (free, held, sold, blocked) != (c.free, c.held, c.sold, c.blocked) {
        return Err(format!("slots ({free} free, {held} held, {sold} sold, {blocked} blocked) disagree with {c:?}"));
    }
    Ok(())
}
