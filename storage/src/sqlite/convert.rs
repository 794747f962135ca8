//! Conversions between model types and SQLite values, and the mapping of SQLite errors to
//! [`StorageError`].

use std::str::FromStr;

use rusqlite::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::catalog::PageRequest;
use crate::error::{StorageError, StorageResult};
use crate::money::Currency;

/// Most items one page may hold; `PageRequest::limit` is clamped to `1..=PAGE_LIMIT_MAX`.
pub(crate) const PAGE_LIMIT_MAX: u32 = 200;

/// `.db()` turns a rusqlite result into a storage result.
pub(crate) trait DbResultExt<T> {
    /// Maps the error with [`db_error`].
    fn db(self) -> StorageResult<T>;
}

impl<T> DbResultExt<T> for rusqlite::Result<T> {
    fn db(self) -> StorageResult<T> {
        self.map_err(db_error)
    }
}

/// Unreadable data is `Corrupt`; everything else (I/O, busy, full disk) is `Unavailable`.
pub(crate) fn db_error(error: rusqlite::Error) -> StorageError {
    use rusqlite::Error as E;
    match &error {
        E::SqliteFailure(failure, _)
            if matches!(failure.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) =>
        {
            StorageError::Corrupt(error.to_string())
        }
        E::FromSqlConversionFailure(..) | E::IntegralValueOutOfRange(..) | E::InvalidColumnType(..) => {
            StorageError::Corrupt(error.to_string())
        }
        _ => StorageError::Unavailable(error.to_string()),
    }
}

/// The message of a constraint violation (`UNIQUE constraint failed: customers.email_key`),
/// if `error` is one.
pub(crate) fn constraint_violation(error: &rusqlite::Error) -> Option<&str> {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) if failure.code == ErrorCode::ConstraintViolation => {
            Some(message.as_deref().unwrap_or("constraint failed"))
        }
        _ => None,
    }
}

/// Maps a failed insert: a constraint violation becomes `Duplicate(field)`.
pub(crate) fn duplicate_or_db(error: rusqlite::Error, field: &'static str) -> StorageError {
    if constraint_violation(&error).is_some() { StorageError::Duplicate(field) } else { db_error(error) }
}

/// Serializes a nested structure for a JSON column.
pub(crate) fn to_json<T: Serialize>(what: &str, value: &T) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(format!("cannot encode {what}: {e}")))
}

/// Reads back a JSON column.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> StorageResult<T> {
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt(format!("bad stored {what}: {e}")))
}

/// The snake_case name serde gives a unit enum variant (`cancelled`, `payment`, ...).
pub(crate) fn enum_text<T: Serialize>(value: &T) -> StorageResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        Ok(other) => Err(StorageError::Corrupt(format!("expected a unit variant, got {other}"))),
        Err(e) => Err(StorageError::Corrupt(format!("cannot encode variant: {e}"))),
    }
}

/// Parses a name written by [`enum_text`].
pub(crate) fn enum_from_text<T: DeserializeOwned>(what: &str, text: &str) -> StorageResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| StorageError::Corrupt(format!("bad stored {what} {text:?}: {e}")))
}

/// Parses an id (or a currency) stored as text.
pub(crate) fn parse_text<T>(what: &str, text: &str) -> StorageResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StorageError::Corrupt(format!("bad stored {what} {text:?}: {e}")))
}

/// Parses a stored currency code.
pub(crate) fn parse_currency(text: &str) -> StorageResult<Currency> {
    parse_text("currency", text)
}

/// A `u64` (sequence number) as an SQLite integer.
pub(crate) fn to_i64(what: &str, value: u64) -> StorageResult<i64> {
    i64::try_from(value).map_err(|_| StorageError::Unavailable(format!("{what} {value} is too large to store")))
}

/// A stored integer that must not be negative.
pub(crate) fn to_u64(what: &str, value: i64) -> StorageResult<u64> {
    u64::try_from(value).map_err(|_| StorageError::Corrupt(format!("negative stored {what}: {value}")))
}

/// `(offset, limit)` of a page request, the limit clamped to `1..=PAGE_LIMIT_MAX`.
pub(crate) fn clamp_page(page: PageRequest) -> PageRequest {
    PageRequest { offset: page.offset, limit: page.limit.clamp(1, PAGE_LIMIT_MAX) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ShowtimeStatus;
    use crate::wallet::LedgerKind;

    #[test]
    fn enums_round_trip_through_their_serde_names() {
        assert_eq!(enum_text(&ShowtimeStatus::Cancelled).expect("unit"), "cancelled");
        assert_eq!(enum_text(&LedgerKind::Payment).expect("unit"), "payment");
        let kind: LedgerKind = enum_from_text("kind", "refund").expect("known");
        assert_eq!(kind, LedgerKind::Refund);
        assert!(matches!(enum_from_text::<LedgerKind>("kind", "gift"), Err(StorageError::Corrupt(_))));
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(clamp_page(PageRequest { offset: 3, limit: 0 }).limit, 1);
        assert_eq!(clamp_page(PageRequest { offset: 3, limit: 10_000 }).limit, PAGE_LIMIT_MAX);
        assert_eq!(clamp_page(PageRequest { offset: 3, limit: 7 }), PageRequest { offset: 3, limit: 7 });
    }
}
