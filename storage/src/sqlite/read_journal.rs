//! Journal, booking and settlement reads.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params};

use super::convert::{DbResultExt, enum_from_text, from_json, parse_currency, parse_text, to_u64};
use super::query::Query;
use crate::catalog::{Page, PageRequest};
use crate::error::StorageResult;
use crate::ids::{BookingId, CustomerId, PaymentId, ShowtimeId};
use crate::journal::{Booking, JournalEntry};
use crate::money::Money;
use crate::time::Timestamp;
use crate::wallet::UnsettledPayment;

const BOOKING_COLUMNS: &str = "record, status, cancelled_at_ms, cancel_reason";

/// A showtime's journal in sequence order.
pub(crate) fn load_journal(conn: &Connection, showtime: ShowtimeId) -> StorageResult<Vec<JournalEntry>> {
    let mut query = Query::new("seq, at_ms, event", "journal", "seq");
    query.filter_with("showtime_id = ?", [Value::Text(showtime.to_string())]);
    query.all(conn, |row| {
        let event: String = row.get(2).db()?;
        Ok(JournalEntry {
            seq: to_u64("journal seq", row.get(0).db()?)?,
            at: Timestamp::from_millis(row.get(1).db()?),
            event: from_json("journal event", &event)?,
        })
    })
}

pub(crate) fn decode_booking(row: &Row<'_>) -> StorageResult<Booking> {
    decode_booking_at(row, 0)
}

/// A booking from the `BOOKING_COLUMNS` of `row`, starting at column `first`.
pub(crate) fn decode_booking_at(row: &Row<'_>, first: usize) -> StorageResult<Booking> {
    let record: String = row.get(first).db()?;
    let status: String = row.get(first + 1).db()?;
    let reason: Option<String> = row.get(first + 3).db()?;
    Ok(Booking {
        record: from_json("booking", &record)?,
        status: enum_from_text("booking status", &status)?,
        cancelled_at: row.get::<_, Option<i64>>(first + 2).db()?.map(Timestamp::from_millis),
        cancel_reason: reason.map(|r| enum_from_text("cancel reason", &r)).transpose()?,
    })
}

/// A booking by id.
pub(crate) fn booking(conn: &Connection, id: BookingId) -> StorageResult<Option<Booking>> {
    let mut query = Query::new(BOOKING_COLUMNS, "bookings", "id");
    query.filter_with("id = ?", [Value::Text(id.to_string())]);
    Ok(query.all(conn, decode_booking)?.pop())
}

/// A customer's bookings, newest first.
pub(crate) fn bookings_of_customer(
    conn: &Connection,
    customer: CustomerId,
    page: PageRequest,
) -> StorageResult<Page<Booking>> {
    let mut query = Query::new(BOOKING_COLUMNS, "bookings", "created_at_ms DESC, id DESC");
    query.filter_with("customer_id = ?", [Value::Text(customer.to_string())]);
    query.page(conn, page, decode_booking)
}

/// A showtime's bookings, oldest first.
pub(crate) fn bookings_of_showtime(conn: &Connection, showtime: ShowtimeId) -> StorageResult<Vec<Booking>> {
    let mut query = Query::new(BOOKING_COLUMNS, "bookings", "created_at_ms, id");
    query.filter_with("showtime_id = ?", [Value::Text(showtime.to_string())]);
    query.all(conn, decode_booking)
}

/// Debits with no booking (at the debit's time), and cancelled bookings (at the
/// cancellation's time), that have no refund.
const UNSETTLED_SQL: &str = "
SELECT substr(l.reference, 9) AS payment_id, l.customer_id, -l.amount_minor, l.currency, l.at_ms
FROM ledger l
WHERE l.kind = 'payment' AND substr(l.reference, 1, 8) = 'payment:'
  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.payment_id = substr(l.reference, 9))
  AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reference = 'refund:' || substr(l.reference, 9))
UNION ALL
SELECT b.payment_id, b.customer_id, b.total_minor, b.currency, COALESCE(b.cancelled_at_ms, b.created_at_ms)
FROM bookings b
WHERE b.status = 'cancelled'
  AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reference = 'refund:' || b.payment_id)
ORDER BY 1";

/// Payments to refund. A payment reference that is not a payment id is logged and skipped.
pub(crate) fn unsettled_payments(conn: &Connection) -> StorageResult<Vec<UnsettledPayment>> {
    let tx = conn.unchecked_transaction().db()?;
    let mut stmt = tx.prepare_cached(UNSETTLED_SQL).db()?;
    let mut rows = stmt.query(params![]).db()?;
    let mut unsettled = Vec::new();
    while let Some(row) = rows.next().db()? {
        let payment: String = row.get(0).db()?;
        let Ok(payment_id) = payment.parse::<PaymentId>() else {
            tracing::warn!(reference = %payment, "payment ledger entry without a valid payment id; not refunded");
            continue;
        };
        let customer: String = row.get(1).db()?;
        let currency: String = row.get(3).db()?;
        unsettled.push(UnsettledPayment {
            payment_id,
            customer_id: parse_text("customer id", &customer)?,
            amount: Money::new(row.get(2).db()?, parse_currency(&currency)?),
            at: Timestamp::from_millis(row.get(4).db()?),
        });
    }
    Ok(unsettled)
}
