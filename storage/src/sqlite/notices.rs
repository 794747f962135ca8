//! The booking-notice outbox: schema migration 5, the insert made inside a journal write,
//! and the reads and acknowledgements of the mailer.

use rusqlite::{Connection, params};

use super::convert::{DbResultExt, enum_from_text, enum_text, to_i64, to_u64};
use super::read_journal::decode_booking_at;
use crate::error::StorageResult;
use crate::ids::BookingId;
use crate::notices::{BookingNotice, NoticeKind};

/// Migration 5 (appended to `schema::MIGRATIONS`; never edit once released). Rows are
/// appended in commit order (the single writer) and deleted once mailed.
pub(crate) const V5_BOOKING_NOTICES: &str = r"
CREATE TABLE booking_notices (
    id          INTEGER PRIMARY KEY,
    booking_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('confirmed', 'cancelled'))
);
";

/// Records a notice; called inside the journal write's savepoint.
pub(crate) fn record(conn: &Connection, booking: BookingId, kind: NoticeKind) -> StorageResult<()> {
    conn.prepare_cached("INSERT INTO booking_notices (booking_id, kind) VALUES (?1, ?2)")
        .db()?
        .execute(params![booking.to_string(), enum_text(&kind)?])
        .db()?;
    Ok(())
}

/// The oldest `limit` notices with their bookings.
pub(crate) fn pending(conn: &Connection, limit: usize) -> StorageResult<Vec<BookingNotice>> {
    let mut statement = conn
        .prepare_cached(
            "SELECT b.record, b.status, b.cancelled_at_ms, b.cancel_reason, n.id, n.kind
             FROM booking_notices n JOIN bookings b ON b.id = n.booking_id
             ORDER BY n.id LIMIT ?1",
        )
        .db()?;
    let mut rows = statement.query(params![to_i64("notice limit", limit as u64)?]).db()?;
    let mut notices = Vec::new();
    while let Some(row) = rows.next().db()? {
        let kind: String = row.get(5).db()?;
        notices.push(BookingNotice {
            id: to_u64("notice id", row.get(4).db()?)?,
            kind: enum_from_text("notice kind", &kind)?,
            booking: decode_booking_at(row, 0)?,
        });
    }
    Ok(notices)
}

/// How many notices wait.
pub(crate) fn count(conn: &Connection) -> StorageResult<u64> {
    let n: i64 = conn.prepare_cached("SELECT COUNT(*) FROM booking_notices").db()?.query_row([], |r| r.get(0)).db()?;
    to_u64("notice count", n)
}

/// Deletes every notice up to and including `id`; how many.
pub(crate) fn acknowledge(conn: &Connection, id: u64) -> StorageResult<u64> {
    let deleted = conn
        .prepare_cached("DELETE FROM booking_notices WHERE id <= ?1")
        .db()?
        .execute(params![to_i64("notice id", id)?])
        .db()?;
    Ok(deleted as u64)
}
