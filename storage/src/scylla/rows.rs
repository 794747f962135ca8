//! Row mapping between model types and CQL values, and the reading of lightweight
//! transaction results. Plain code (no driver types): the glue converts [`Cql`] to and
//! from the driver's values, and everything here is unit-tested in every build.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{StorageError, StorageResult};
use crate::ids::ShowtimeId;
use crate::journal::{Booking, BookingRecord, BookingStatus, CancelReason, JournalEntry};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{LedgerEntry, LedgerKind};

/// A CQL value of the types the schema uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cql {
    /// `uuid`
    Uuid(Uuid),
    /// `bigint`
    BigInt(i64),
    /// `int`
    Int(i32),
    /// `tinyint`
    TinyInt(i8),
    /// `text`
    Text(String),
    /// `blob`
    Blob(Vec<u8>),
    /// `boolean`
    Bool(bool),
    /// `map<text, bigint>`
    Balances(BTreeMap<String, i64>),
}

/// A row: columns in the order the statement selects them (`None`: null).
pub type Row = Vec<Option<Cql>>;

/// Shorthands for bound values.
#[must_use]
pub fn uuid(u: Uuid) -> Option<Cql> {
    Some(Cql::Uuid(u))
}
/// A `bigint`.
#[must_use]
pub fn big(n: i64) -> Option<Cql> {
    Some(Cql::BigInt(n))
}
/// A `text`.
#[must_use]
pub fn text(s: impl Into<String>) -> Option<Cql> {
    Some(Cql::Text(s.into()))
}

/// A `u64` as a `bigint`.
///
/// # Errors
/// `Corrupt` above `i64::MAX`.
pub fn u64_big(what: &str, n: u64) -> StorageResult<Option<Cql>> {
    i64::try_from(n).map(big).map_err(|_| StorageError::Corrupt(format!("{what} {n} does not fit a bigint")))
}

fn corrupt(what: &str, column: usize) -> StorageError {
    StorageError::Corrupt(format!("{what}: column {column} is missing or has an unexpected type"))
}

/// Column `i` as text.
///
/// # Errors
/// `Corrupt` if null or of another type.
pub fn get_text(row: &Row, i: usize, what: &str) -> StorageResult<String> {
    match row.get(i) {
        Some(Some(Cql::Text(s))) => Ok(s.clone()),
        _ => Err(corrupt(what, i)),
    }
}
/// Column `i` as an optional bigint.
///
/// # Errors
/// `Corrupt` if of another type.
pub fn get_big_opt(row: &Row, i: usize, what: &str) -> StorageResult<Option<i64>> {
    match row.get(i) {
        Some(Some(Cql::BigInt(n))) => Ok(Some(*n)),
        Some(None) | None => Ok(None),
        _ => Err(corrupt(what, i)),
    }
}
/// Column `i` as a bigint.
///
/// # Errors
/// `Corrupt` if null or of another type.
pub fn get_big(row: &Row, i: usize, what: &str) -> StorageResult<i64> {
    get_big_opt(row, i, what)?.ok_or_else(|| corrupt(what, i))
}
/// Column `i` as a uuid.
///
/// # Errors
/// `Corrupt` if null or of another type.
pub fn get_uuid(row: &Row, i: usize, what: &str) -> StorageResult<Uuid> {
    match row.get(i) {
        Some(Some(Cql::Uuid(u))) => Ok(*u),
        _ => Err(corrupt(what, i)),
    }
}
/// Column `i` as a boolean (null is `false`).
#[must_use]
pub fn get_bool(row: &Row, i: usize) -> bool {
    matches!(row.get(i), Some(Some(Cql::Bool(true))))
}
/// Column `i` as an optional text.
#[must_use]
pub fn get_text_opt(row: &Row, i: usize) -> Option<String> {
    match row.get(i) {
        Some(Some(Cql::Text(s))) => Some(s.clone()),
        _ => None,
    }
}

/// JSON text of a stored record.
///
/// # Errors
/// `Corrupt` if it cannot be encoded.
pub fn to_json<T: Serialize>(what: &str, value: &T) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(format!("cannot encode {what}: {e}")))
}
/// A stored record from its JSON text.
///
/// # Errors
/// `Corrupt` if it does not parse.
pub fn from_json<T: DeserializeOwned>(what: &str, json: &str) -> StorageResult<T> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt(format!("bad stored {what}: {e}")))
}
/// The wire name of a unit enum variant (`cancelled`, `customer`, `payment`).
///
/// # Errors
/// `Corrupt` if the value is not a unit variant.
pub fn enum_name<T: Serialize>(value: &T) -> StorageResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StorageError::Corrupt("expected a unit enum variant".into())),
    }
}
/// A unit enum variant from its wire name.
///
/// # Errors
/// `Corrupt` if unknown.
pub fn enum_from<T: DeserializeOwned>(what: &str, name: &str) -> StorageResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| StorageError::Corrupt(format!("bad stored {what} {name:?}: {e}")))
}

/// A journal row (`seq, at, event`).
///
/// # Errors
/// `Corrupt` for a malformed row.
pub fn journal_entry(row: &Row) -> StorageResult<JournalEntry> {
    let seq = get_big(row, 0, "journal seq")?;
    Ok(JournalEntry {
        seq: u64::try_from(seq).map_err(|_| StorageError::Corrupt(format!("negative journal seq {seq}")))?,
        at: Timestamp::from_millis(get_big(row, 1, "journal at")?),
        event: from_json("journal event", &get_text(row, 2, "journal event")?)?,
    })
}

/// A booking row of `showtime_log` (`record, status, cancelled_at, cancel_reason`).
///
/// # Errors
/// `Corrupt` for a malformed row.
pub fn booking(row: &Row) -> StorageResult<Booking> {
    let record: BookingRecord = from_json("booking", &get_text(row, 0, "booking record")?)?;
    let status: BookingStatus = enum_from("booking status", &get_text(row, 1, "booking status")?)?;
    let cancel_reason: Option<CancelReason> =
        get_text_opt(row, 3).map(|r| enum_from("cancel reason", &r)).transpose()?;
    Ok(Booking {
        record,
        status,
        cancelled_at: get_big_opt(row, 2, "cancelled_at")?.map(Timestamp::from_millis),
        cancel_reason,
    })
}

/// The statics of a showtime's partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogStatics {
    /// Ownership epoch (`None`: never acquired).
    pub epoch: Option<u64>,
    /// Owner node.
    pub owner: Option<String>,
    /// When the owner took over.
    pub acquired_at: Option<i64>,
    /// Last sequence number written (`None`: nothing yet).
    pub next_seq: Option<u64>,
}

/// The statics from a `LogStatics` row (`epoch, owner, acquired_at, next_seq`), or from
/// the current values a refused conditional update returns (found by column name).
///
/// # Errors
/// `Corrupt` for negative numbers.
pub fn log_statics(columns: &[(&str, Option<Cql>)]) -> StorageResult<LogStatics> {
    let find = |name: &str| columns.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone());
    let unsigned = |name: &str| -> StorageResult<Option<u64>> {
        match find(name) {
            Some(Cql::BigInt(n)) => {
                u64::try_from(n).map(Some).map_err(|_| StorageError::Corrupt(format!("negative {name}")))
            }
            _ => Ok(None),
        }
    };
    let owner = match find("owner") {
        Some(Cql::Text(s)) => Some(s),
        _ => None,
    };
    let acquired_at = match find("acquired_at") {
        Some(Cql::BigInt(n)) => Some(n),
        _ => None,
    };
    Ok(LogStatics { epoch: unsigned("epoch")?, owner, acquired_at, next_seq: unsigned("next_seq")? })
}

/// Why a refused journal batch was refused: another epoch owns the showtime (fenced), or
/// the sequence moved on (someone else appended).
#[must_use]
pub fn refused_batch(showtime: ShowtimeId, epoch: u64, first_seq: u64, current: &LogStatics) -> StorageError {
    let current_epoch = current.epoch.unwrap_or(0);
    if current_epoch != epoch {
        return StorageError::Fenced { showtime, epoch, current: current_epoch };
    }
    StorageError::SequenceConflict { expected: current.next_seq.unwrap_or(0).saturating_add(1), got: first_seq }
}

/// One wallet row (`reference, seq, amount, currency, kind, memo, at`) as a ledger entry of
/// `customer`.
///
/// # Errors
/// `Corrupt` for a malformed row.
pub fn ledger_entry(customer: crate::ids::CustomerId, row: &Row) -> StorageResult<(i64, LedgerEntry)> {
    let currency: Currency = get_text(row, 3, "ledger currency")?
        .parse()
        .map_err(|e| StorageError::Corrupt(format!("bad stored currency: {e}")))?;
    let kind: LedgerKind = enum_from("ledger kind", &get_text(row, 4, "ledger kind")?)?;
    let entry = LedgerEntry {
        customer_id: customer,
        amount: Money::new(get_big(row, 2, "ledger amount")?, currency),
        kind,
        reference: get_text(row, 0, "ledger reference")?,
        memo: get_text_opt(row, 5).unwrap_or_default(),
        at: Timestamp::from_millis(get_big(row, 6, "ledger at")?),
    };
    Ok((get_big(row, 1, "ledger seq")?, entry))
}

/// The balances static of a wallet row (column `i`).
#[must_use]
pub fn balances(row: &Row, i: usize) -> BTreeMap<String, i64> {
    match row.get(i) {
        Some(Some(Cql::Balances(map))) => map.clone(),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BookingId, CustomerId, HoldId, PaymentId};
    use crate::journal::{HoldEnd, SeatEvent};

    #[test]
    fn journal_rows_round_trip() {
        let event = SeatEvent::HoldEnded { hold_id: HoldId::new(), reason: HoldEnd::Expired };
        let entry = JournalEntry { seq: 7, at: Timestamp::from_millis(1_800_000_000_000), event };
        let row = vec![big(7), big(1_800_000_000_000), text(to_json("e", &entry.event).expect("json"))];
        assert_eq!(journal_entry(&row).expect("decodes"), entry);
        assert!(journal_entry(&vec![big(-1), big(0), text("{}")]).is_err(), "negative seq is corrupt");
        assert!(journal_entry(&vec![None, big(0), text("{}")]).is_err(), "null seq is corrupt");
    }

    #[test]
    fn booking_rows_decode_status_and_cancellation() {
        let record = BookingRecord {
            id: BookingId::new(),
            reference: "K7QM-2XD9".into(),
            showtime_id: ShowtimeId::new(),
            customer_id: CustomerId::new(),
            hold_id: HoldId::new(),
            payment_id: PaymentId::new(),
            lines: Vec::new(),
            total: Money::new(1250, Currency::EUR),
            created_at: Timestamp::from_millis(1),
        };
        let json = to_json("booking", &record).expect("json");
        let row = vec![text(json.clone()), text("confirmed"), None, None];
        let b = booking(&row).expect("decodes");
        assert_eq!((b.record, b.status, b.cancelled_at), (record, BookingStatus::Confirmed, None));
        let row = vec![text(json), text("cancelled"), big(5), text("staff")];
        let b = booking(&row).expect("decodes");
        assert_eq!((b.status, b.cancel_reason), (BookingStatus::Cancelled, Some(CancelReason::Staff)));
        assert_eq!(b.cancelled_at, Some(Timestamp::from_millis(5)));
    }

    #[test]
    fn refused_batches_name_the_cause() {
        let show = ShowtimeId::new();
        let statics = |epoch, next| LogStatics { epoch, next_seq: next, ..LogStatics::default() };
        let taken = refused_batch(show, 3, 11, &statics(Some(4), Some(10)));
        assert_eq!(taken, StorageError::Fenced { showtime: show, epoch: 3, current: 4 });
        let moved = refused_batch(show, 3, 11, &statics(Some(3), Some(12)));
        assert_eq!(moved, StorageError::SequenceConflict { expected: 13, got: 11 });
        let fresh = refused_batch(show, 0, 2, &statics(None, None));
        assert_eq!(fresh, StorageError::SequenceConflict { expected: 1, got: 2 });
        let read = log_statics(&[("[applied]", Some(Cql::Bool(false))), ("epoch", big(4)), ("next_seq", big(9))])
            .expect("statics");
        assert_eq!((read.epoch, read.next_seq, read.owner), (Some(4), Some(9), None));
    }

    #[test]
    fn wallet_rows_map_to_ledger_entries() {
        let who = CustomerId::new();
        let row = vec![text("payment:x"), big(3), big(-1250), text("EUR"), text("payment"), text("memo"), big(42)];
        let (seq, entry) = ledger_entry(who, &row).expect("decodes");
        assert_eq!((seq, entry.amount, entry.kind), (3, Money::new(-1250, Currency::EUR), LedgerKind::Payment));
        assert_eq!((entry.reference.as_str(), entry.at), ("payment:x", Timestamp::from_millis(42)));
        let mut map = BTreeMap::new();
        map.insert("EUR".to_owned(), 10);
        assert_eq!(balances(&vec![Some(Cql::Balances(map.clone()))], 0), map);
        assert!(balances(&vec![None], 0).is_empty());
    }
}
