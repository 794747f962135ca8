//! Journal appends and what they imply (booking rows, the refund of a cancelled booking,
//! the booking's email notice), in one op of the writer: all or nothing.

use rusqlite::{Connection, OptionalExtension, params};

use super::convert::{
    DbResultExt, constraint_violation, db_error, enum_text, parse_currency, parse_text, to_i64, to_json, to_u64,
};
use super::notices;
use super::write_wallet::apply_ledger;
use crate::error::{StorageError, StorageResult};
use crate::ids::{BookingId, PaymentId, ShowtimeId};
use crate::journal::{BookingRecord, CancelReason, JournalEntry, SeatEvent};
use crate::money::Money;
use crate::notices::NoticeKind;
use crate::time::Timestamp;
use crate::wallet::{LedgerEntry, LedgerKind};

/// Checks that a batch is consecutive; `SequenceConflict` at the first gap.
pub(crate) fn check_consecutive(entries: &[JournalEntry]) -> StorageResult<()> {
    for pair in entries.windows(2) {
        let expected = pair[0].seq.saturating_add(1);
        if pair[1].seq != expected {
            return Err(StorageError::SequenceConflict { expected, got: pair[1].seq });
        }
    }
    Ok(())
}

/// Appends `entries` if they continue the showtime's sequence, and updates bookings.
pub(crate) fn append_journal(conn: &Connection, showtime: ShowtimeId, entries: &[JournalEntry]) -> StorageResult<()> {
    let Some(first) = entries.first() else { return Ok(()) };
    let showtime_id = showtime.to_string();
    let last: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM journal WHERE showtime_id = ?1")
        .db()?
        .query_row(params![showtime_id], |row| row.get(0))
        .db()?;
    let expected = to_u64("journal seq", last)?.saturating_add(1);
    if first.seq != expected {
        return Err(StorageError::SequenceConflict { expected, got: first.seq });
    }
    check_consecutive(entries)?;
    let mut insert =
        conn.prepare_cached("INSERT INTO journal (showtime_id, seq, at_ms, event) VALUES (?1, ?2, ?3, ?4)").db()?;
    for entry in entries {
        let event = to_json("journal event", &entry.event)?;
        insert.execute(params![showtime_id, to_i64("journal seq", entry.seq)?, entry.at.as_millis(), event]).db()?;
        match &entry.event {
            SeatEvent::BookingConfirmed { booking } => {
                insert_booking(conn, booking)?;
                notices::record(conn, booking.id, NoticeKind::Confirmed)?;
            }
            SeatEvent::BookingCancelled { booking_id, reason } => cancel_booking(conn, *booking_id, *reason, entry.at)?,
            _ => {}
        }
    }
    Ok(())
}

fn insert_booking(conn: &Connection, booking: &BookingRecord) -> StorageResult<()> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO bookings (id, showtime_id, customer_id, payment_id, reference, status,
                 total_minor, currency, created_at_ms, record)
             VALUES (?1, ?2, ?3, ?4, ?5, 'confirmed', ?6, ?7, ?8, ?9)",
        )
        .db()?
        .execute(params![
            booking.id.to_string(),
            booking.showtime_id.to_string(),
            booking.customer_id.to_string(),
            booking.payment_id.to_string(),
            booking.reference,
            booking.total.amount_minor(),
            booking.total.currency().as_str(),
            booking.created_at.as_millis(),
            to_json("booking", booking)?,
        ]);
    match inserted {
        Ok(_) => Ok(()),
        Err(error) => Err(match constraint_violation(&error) {
            Some(message) if message.contains("payment_id") => StorageError::Duplicate("payment_id"),
            Some(_) => StorageError::Duplicate("booking"),
            None => db_error(error),
        }),
    }
}

/// Marks a confirmed booking cancelled and records its refund and its notice in the same
/// op (the ledger key `refund:<payment id>` makes the refund happen once).
/// Cancelling it again keeps the first cancellation and refunds and notifies nothing more;
/// `NotFound` if there is no such booking.
fn cancel_booking(conn: &Connection, id: BookingId, reason: CancelReason, at: Timestamp) -> StorageResult<()> {
    let id_text = id.to_string();
    // One statement marks the booking and hands back what its refund needs.
    let cancelled: Option<(String, String, i64, String)> = conn
        .prepare_cached(
            "UPDATE bookings SET status = 'cancelled', cancelled_at_ms = ?2, cancel_reason = ?3
             WHERE id = ?1 AND status = 'confirmed'
             RETURNING customer_id, payment_id, total_minor, currency",
        )
        .db()?
        .query_row(params![id_text, at.as_millis(), enum_text(&reason)?], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()
        .db()?;
    if let Some(booking) = cancelled {
        notices::record(conn, id, NoticeKind::Cancelled)?;
        return refund_cancelled(conn, booking, at);
    }
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM bookings WHERE id = ?1)")
        .db()?
        .query_row(params![id_text], |row| row.get(0))
        .db()?;
    if exists { Ok(()) } else { Err(StorageError::NotFound { entity: "booking", id: id_text }) }
}

/// Credits a just-cancelled booking's total (customer, payment, total, currency) back to
/// its customer.
fn refund_cancelled(
    conn: &Connection,
    (customer, payment, minor, currency): (String, String, i64, String),
    at: Timestamp,
) -> StorageResult<()> {
    let payment: PaymentId = parse_text("payment id", &payment)?;
    let entry = LedgerEntry {
        customer_id: parse_text("customer id", &customer)?,
        amount: Money::new(minor, parse_currency(&currency)?),
        kind: LedgerKind::Refund,
        reference: LedgerEntry::refund_reference(payment),
        memo: LedgerEntry::refund_memo(payment),
        at,
    };
    apply_ledger(conn, &entry).map(|_| ())
}
