//! Rendering and encoding of the feed's messages: a journal entry as a client-facing
//! `change` (seat labels, statuses, counts; never an id of a customer, hold or booking),
//! the compact `snapshot`, and `changes`, several consecutive `change` messages of one
//! showtime in one message (built by concatenating their encoded bytes).

use boxoffice_storage::{HoldEnd, JournalEntry, LayoutSpec, SeatEvent, SeatIndex, ShowtimeId, Timestamp};
use bytes::Bytes;
use serde::Serialize;

use super::PROTOCOL_VERSION;
use crate::seat_map::{SeatMap, ShowtimeInfo, labels};
use crate::view::{Counts, SeatMapView, SeatStatus};

/// What a change did, as clients see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Seats (or tickets) were held.
    Held,
    /// A hold ended without a purchase (`reason` says why); its seats are free.
    Released,
    /// Seats (or tickets) were sold.
    Sold,
    /// A booking was cancelled; its seats are free.
    BookingCancelled,
    /// Staff blocked seats.
    Blocked,
    /// Staff unblocked seats.
    Unblocked,
    /// The showtime was cancelled.
    Closed,
}

/// The seats (and ticket count) an event changes, read from the state before it applies.
pub(super) struct Touched {
    seats: Vec<SeatIndex>,
    quantity: u32,
}

pub(super) fn touched_seats(before: &SeatMap, event: &SeatEvent) -> Touched {
    let of = |seats: Vec<SeatIndex>, quantity: u32| Touched { seats, quantity };
    match event {
        SeatEvent::HoldPlaced { seats, quantity, .. } => of(seats.clone(), *quantity),
        SeatEvent::HoldEnded { hold_id, .. } => {
            before.hold(*hold_id).map_or_else(|| of(Vec::new(), 0), |h| of(h.seats.clone(), h.quantity))
        }
        SeatEvent::BookingConfirmed { booking } => {
            let quantity = u32::try_from(booking.lines.len()).unwrap_or(u32::MAX);
            of(booking.lines.iter().filter_map(|l| l.seat).collect(), quantity)
        }
        SeatEvent::BookingCancelled { booking_id, .. } => {
            before.booking(*booking_id).map_or_else(|| of(Vec::new(), 0), |b| of(b.seats.clone(), b.quantity))
        }
        SeatEvent::SeatsBlocked { seats } | SeatEvent::SeatsUnblocked { seats } => {
            of(seats.clone(), u32::try_from(seats.len()).unwrap_or(u32::MAX))
        }
        SeatEvent::ShowtimeClosed => of(Vec::new(), 0),
    }
}

#[derive(Serialize)]
struct SeatChange {
    label: String,
    status: SeatStatus,
}

#[derive(Serialize)]
struct ChangeMessage<'a> {
    v: u32,
    #[serde(rename = "type")]
    kind_of_message: &'static str,
    showtime_id: ShowtimeId,
    seq: u64,
    at: Timestamp,
    change: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    seats: Vec<SeatChange>,
    quantity: u32,
    counts: Counts,
}

fn kind_and_status(event: &SeatEvent) -> (ChangeKind, SeatStatus, Option<&'static str>) {
    match event {
        SeatEvent::HoldPlaced { .. } => (ChangeKind::Held, SeatStatus::Held, None),
        SeatEvent::HoldEnded { reason, .. } => (ChangeKind::Released, SeatStatus::Free, Some(hold_end(*reason))),
        SeatEvent::BookingConfirmed { .. } => (ChangeKind::Sold, SeatStatus::Sold, None),
        SeatEvent::BookingCancelled { .. } => (ChangeKind::BookingCancelled, SeatStatus::Free, None),
        SeatEvent::SeatsBlocked { .. } => (ChangeKind::Blocked, SeatStatus::Blocked, None),
        SeatEvent::SeatsUnblocked { .. } => (ChangeKind::Unblocked, SeatStatus::Free, None),
        SeatEvent::ShowtimeClosed => (ChangeKind::Closed, SeatStatus::Free, None),
    }
}

fn hold_end(reason: HoldEnd) -> &'static str {
    match reason {
        HoldEnd::Released => "released",
        HoldEnd::Expired => "expired",
        HoldEnd::Replaced => "replaced",
        HoldEnd::ShowtimeCancelled => "showtime_cancelled",
    }
}

pub(super) fn encode_change(info: &ShowtimeInfo, entry: &JournalEntry, touched: &Touched, counts: Counts) -> Bytes {
    let (change, status, reason) = kind_and_status(&entry.event);
    let seats = labels(info, &touched.seats).into_iter().map(|label| SeatChange { label, status }).collect();
    let message = ChangeMessage {
        v: PROTOCOL_VERSION,
        kind_of_message: "change",
        showtime_id: info.id,
        seq: entry.seq,
        at: entry.at,
        change,
        reason,
        seats,
        quantity: touched.quantity,
        counts,
    };
    to_bytes(&message)
}

#[derive(Serialize)]
struct SnapshotMessage<'a> {
    v: u32,
    #[serde(rename = "type")]
    kind_of_message: &'static str,
    showtime_id: ShowtimeId,
    seq: u64,
    starts_at: Timestamp,
    status: boxoffice_storage::ShowtimeStatus,
    seating: boxoffice_storage::Seating,
    counts: Counts,
    prices: &'a boxoffice_storage::PriceList,
    /// The auditorium layout in the API's row format (`null` for general admission).
    layout: Option<&'a LayoutSpec>,
    /// One character per seat, in seat order (rows from the screen, left to right):
    /// `.` free, `h` held, `s` sold, `b` blocked.
    seats: String,
}

/// The compact `snapshot` message of a seat map: the layout once (as rows of the API's
/// layout format) and one status character per seat, about 2 bytes a seat instead of
/// ~100 for a list of seat objects. Clients derive labels from the layout (seats are
/// numbered from 1, left to right, skipping gaps and aisles).
#[must_use]
pub fn encode_snapshot(view: &SeatMapView, layout: Option<&LayoutSpec>) -> Bytes {
    let seats = view.seats.iter().map(|s| status_char(s.status)).collect();
    let message = SnapshotMessage {
        v: PROTOCOL_VERSION,
        kind_of_message: "snapshot",
        showtime_id: view.showtime_id,
        seq: view.seq,
        starts_at: view.starts_at,
        status: view.status,
        seating: view.seating,
        counts: view.counts,
        prices: &view.prices,
        layout,
        seats,
    };
    to_bytes(&message)
}

/// The `changes` message: `changes` (consecutive `change` messages of `showtime_id`, in
/// order, at least one) in one message, `{"v":1,"type":"changes","showtime_id":…,
/// "from":<first seq>,"seq":<last seq>,"changes":[<change>,…]}`. The changes' encoded
/// bytes are copied as they are, never re-serialized; the header goes first so that a
/// client can read `from` and `seq` without parsing the array.
///
/// The caller guarantees the sequence numbers are consecutive (a gap here would be a bug
/// of the caller; the connection's forwarder checks every change it takes).
#[must_use]
pub fn encode_changes(showtime_id: ShowtimeId, changes: &[super::Change]) -> Bytes {
    let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
        return Bytes::new();
    };
    debug_assert!(changes.windows(2).all(|w| w[1].seq == w[0].seq + 1), "coalesced changes are consecutive");
    let body: usize = changes.iter().map(|c| c.json.len() + 1).sum();
    let header = format!(
        r#"{{"v":{PROTOCOL_VERSION},"type":"changes","showtime_id":"{showtime_id}","from":{},"seq":{},"changes":["#,
        first.seq, last.seq
    );
    let mut out = Vec::with_capacity(header.len() + body + 2);
    out.extend_from_slice(header.as_bytes());
    for (i, change) in changes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&change.json);
    }
    out.extend_from_slice(b"]}");
    Bytes::from(out)
}

/// The snapshot character of a seat status.
#[must_use]
pub const fn status_char(status: SeatStatus) -> char {
    match status {
        SeatStatus::Free => '.',
        SeatStatus::Held => 'h',
        SeatStatus::Sold => 's',
        SeatStatus::Blocked => 'b',
    }
}

fn to_bytes(message: &impl Serialize) -> Bytes {
    // Serializing these plain structs cannot fail (string keys, no maps with other keys).
    Bytes::from(serde_json::to_vec(message).unwrap_or_default())
}
