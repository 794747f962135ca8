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

/// Records a notice; called inside the journal write's op (all or nothing with it).
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

/// How many notices wait. The ids are contiguous (each insert takes the largest id + 1, and
/// acknowledgements delete from the oldest), so the first and last ids say it in two index
/// lookups: `COUNT(*)` would read the whole table, which is largest when the mailer is behind.
pub(crate) fn count(conn: &Connection) -> StorageResult<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(id) - MIN(id) + 1, 0) FROM booking_notices")
        .db()?
        .query_row([], |r| r.get(0))
        .db()?;
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

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::{acknowledge, count, record};
    use crate::ids::BookingId;
    use crate::notices::NoticeKind;
    use crate::sqlite::schema;

    fn rows(conn: &Connection) -> u64 {
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM booking_notices", [], |r| r.get(0)).expect("count rows");
        u64::try_from(n).expect("non-negative")
    }

    #[test]
    fn the_count_is_the_number_of_waiting_notices_through_records_rollbacks_and_acknowledgements() {
        let mut conn = Connection::open_in_memory().expect("open");
        schema::migrate(&mut conn).expect("migrate");
        assert_eq!(count(&conn).expect("count"), 0, "empty");
        for _ in 0..5 {
            record(&conn, BookingId::new(), NoticeKind::Confirmed).expect("record");
        }
        // A write rolled back (a failed op of a batch) leaves no hole in the ids.
        conn.execute_batch("SAVEPOINT op").expect("savepoint");
        record(&conn, BookingId::new(), NoticeKind::Cancelled).expect("record");
        conn.execute_batch("ROLLBACK TO op; RELEASE op").expect("rollback");
        record(&conn, BookingId::new(), NoticeKind::Cancelled).expect("record");
        assert_eq!((count(&conn).expect("count"), rows(&conn)), (6, 6), "after a rollback");
        assert_eq!(acknowledge(&conn, 4).expect("ack"), 4, "the oldest four");
        assert_eq!((count(&conn).expect("count"), rows(&conn)), (2, 2), "after an acknowledgement");
        assert_eq!(acknowledge(&conn, 6).expect("ack"), 2, "the rest");
        assert_eq!(count(&conn).expect("count"), 0, "emptied");
        record(&conn, BookingId::new(), NoticeKind::Confirmed).expect("record");
        assert_eq!((count(&conn).expect("count"), rows(&conn)), (1, 1), "after starting over");
    }
}
