//! The one place where engine, storage and validation errors become problems: each variant
//! has exactly one status and code.
//!
//! | error | status | code |
//! | --- | --- | --- |
//! | `EngineError::ShowtimeNotFound` | 404 | `showtime_not_found` |
//! | `EngineError::NotOnSale` | 409 | `not_on_sale` |
//! | `EngineError::UnknownSeats` | 422 | `unknown_seats` (+ `seats`) |
//! | `EngineError::InvalidRequest` | 422 | `invalid_request` |
//! | `EngineError::SeatsUnavailable` | 409 | `seats_unavailable` (+ `seats`) |
//! | `EngineError::SoldOut` | 409 | `sold_out` |
//! | `EngineError::NotEnoughTickets` | 409 | `not_enough_tickets` (+ `available`) |
//! | `EngineError::HoldNotFound` | 404 | `hold_not_found` |
//! | `EngineError::PaymentInProgress` | 409 | `payment_in_progress` |
//! | `EngineError::UnknownTier` | 422 | `unknown_tier` (+ `tier`) |
//! | `EngineError::InsufficientBalance` | 402 | `insufficient_balance` (+ `balance`, `needed`) |
//! | `EngineError::BookingNotFound` | 404 | `booking_not_found` |
//! | `EngineError::AlreadyCancelled` | 409 | `already_cancelled` |
//! | `EngineError::CancellationClosed` | 409 | `cancellation_closed` (+ `deadline`) |
//! | `EngineError::Overloaded` | 503 | `overloaded`, `Retry-After: 1` |
//! | `EngineError::StorageUnavailable` | 503 | `storage_unavailable`, `Retry-After: 1` |
//! | `EngineError::Timeout` | 503 | `timeout`, `Retry-After: 1` |
//! | `EngineError::NotOwner` | 503 | `not_owner`, `Retry-After: 1` |
//! | `StorageError::NotFound` | 404 | `not_found` (+ `entity`, `id`) |
//! | `StorageError::Overlap` | 409 | `showtime_overlap` (+ `conflicting_showtime_id`) |
//! | `StorageError::Duplicate` | 409 | `duplicate` (+ `field`) |
//! | `StorageError::InsufficientBalance` | 402 | `insufficient_balance` (+ `balance`) |
//! | `StorageError::Overloaded` | 503 | `overloaded`, `Retry-After: 1` |
//! | other `StorageError`s | 503 | `storage_unavailable`, generic body |
//! | `FieldError` | 422 | `validation_failed` (+ `field`, `reason`, `params`) |

use axum::http::{StatusCode, header};
use boxoffice_engine::EngineError;
use boxoffice_storage::{FieldError, Money, Param, StorageError};
use serde_json::{Value, json};

use crate::error::Problem;

const UNAVAILABLE: StatusCode = StatusCode::SERVICE_UNAVAILABLE;

fn money(m: Money) -> Value {
    json!({ "amount_minor": m.amount_minor(), "currency": m.currency().as_str() })
}

fn retry_later(code: &'static str, detail: &str) -> Problem {
    Problem::new(UNAVAILABLE, code, "Service unavailable", detail).header(header::RETRY_AFTER, "1")
}

/// The problem for an engine error.
#[must_use]
pub fn engine(e: &EngineError) -> Problem {
    use EngineError as E;
    let code = e.code();
    match e {
        E::ShowtimeNotFound => Problem::new(StatusCode::NOT_FOUND, code, "Not found", e.to_string()),
        E::NotOnSale(_) => Problem::new(StatusCode::CONFLICT, code, "Not on sale", e.to_string()),
        E::UnknownSeats(seats) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Unknown seats", e.to_string())
            .with("seats", seats.clone()),
        E::InvalidRequest(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Invalid request", e.to_string()),
        E::SeatsUnavailable(seats) => {
            Problem::new(StatusCode::CONFLICT, code, "Seats unavailable", e.to_string()).with("seats", seats.clone())
        }
        E::SoldOut => Problem::new(StatusCode::CONFLICT, code, "Sold out", e.to_string()),
        E::NotEnoughTickets { available } => {
            Problem::new(StatusCode::CONFLICT, code, "Not enough tickets", e.to_string()).with("available", *available)
        }
        E::HoldNotFound => Problem::new(StatusCode::NOT_FOUND, code, "Hold not found", e.to_string()),
        E::PaymentInProgress => Problem::new(StatusCode::CONFLICT, code, "Payment in progress", e.to_string()),
        E::UnknownTier(tier) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Unknown price tier", e.to_string())
                .with("tier", tier.clone())
        }
        E::InsufficientBalance { balance, needed } => {
            Problem::new(StatusCode::PAYMENT_REQUIRED, code, "Insufficient balance", e.to_string())
                .with("balance", money(*balance))
                .with("needed", money(*needed))
        }
        E::BookingNotFound => Problem::new(StatusCode::NOT_FOUND, code, "Booking not found", e.to_string()),
        E::AlreadyCancelled => Problem::new(StatusCode::CONFLICT, code, "Already cancelled", e.to_string()),
        E::CancellationClosed { deadline } => {
            Problem::new(StatusCode::CONFLICT, code, "Cancellation closed", e.to_string())
                .with("deadline", deadline.to_string())
        }
        E::Overloaded => retry_later(code, "the showtime is busy; retry in a moment"),
        E::StorageUnavailable(cause) => {
            retry_later(code, "the booking could not be recorded; nothing was changed, retry in a moment")
                .caused_by(cause.clone())
        }
        E::Timeout => retry_later(code, "the showtime did not answer in time; check your bookings before retrying"),
        E::NotOwner => retry_later(code, "the showtime is moving to another node; retry in a moment"),
    }
}

/// The problem for a storage error.
#[must_use]
pub fn storage(e: &StorageError) -> Problem {
    use StorageError as S;
    match e {
        S::NotFound { entity, id } => Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found", e.to_string())
            .with("entity", *entity)
            .with("id", id.clone()),
        S::Overlap(other) => Problem::new(StatusCode::CONFLICT, "showtime_overlap", "Showtime overlap", e.to_string())
            .with("conflicting_showtime_id", other.to_string()),
        S::Duplicate(field) => {
            Problem::new(StatusCode::CONFLICT, "duplicate", "Duplicate", e.to_string()).with("field", *field)
        }
        S::InsufficientBalance { balance } => {
            Problem::new(StatusCode::PAYMENT_REQUIRED, "insufficient_balance", "Insufficient balance", e.to_string())
                .with("balance", money(*balance))
        }
        S::Overloaded => retry_later("overloaded", "storage is busy; retry in a moment"),
        S::SequenceConflict { .. } | S::Fenced { .. } | S::Unavailable(_) | S::Corrupt(_) => {
            retry_later("storage_unavailable", "storage could not complete the request; retry later")
                .caused_by(e.to_string())
        }
    }
}

/// The problem for an invalid field.
#[must_use]
pub fn field(e: &FieldError) -> Problem {
    let params: serde_json::Map<String, serde_json::Value> = e
        .params
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Param::Number(n) => serde_json::Value::from(*n),
                Param::Text(text) => serde_json::Value::from(text.as_str()),
            };
            ((*name).to_owned(), value)
        })
        .collect();
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Validation failed", e.to_string())
        .with("field", e.field)
        .with("reason", e.reason.code())
        .with("params", params)
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{Currency, ShowtimeId, Timestamp};

    use super::*;

    #[test]
    fn every_engine_error_has_one_status() {
        let eur = |m| Money::new(m, Currency::EUR);
        let cases = [
            (EngineError::ShowtimeNotFound, 404),
            (EngineError::NotOnSale("started"), 409),
            (EngineError::UnknownSeats(vec!["Z9".into()]), 422),
            (EngineError::InvalidRequest("x".into()), 422),
            (EngineError::SeatsUnavailable(vec!["A1".into()]), 409),
            (EngineError::SoldOut, 409),
            (EngineError::NotEnoughTickets { available: 2 }, 409),
            (EngineError::HoldNotFound, 404),
            (EngineError::PaymentInProgress, 409),
            (EngineError::UnknownTier("vip".into()), 422),
            (EngineError::InsufficientBalance { balance: eur(1), needed: eur(2) }, 402),
            (EngineError::BookingNotFound, 404),
            (EngineError::AlreadyCancelled, 409),
            (EngineError::CancellationClosed { deadline: Timestamp::from_millis(0) }, 409),
            (EngineError::Overloaded, 503),
            (EngineError::StorageUnavailable("disk".into()), 503),
            (EngineError::Timeout, 503),
        ];
        for (error, status) in cases {
            let p = engine(&error);
            assert_eq!(p.status.as_u16(), status, "{error:?}");
            assert_eq!(p.code, error.code());
            if status == 503 {
                assert!(p.headers.iter().any(|(n, _)| n == header::RETRY_AFTER), "{error:?}");
                assert!(!p.body().to_string().contains("disk"));
            }
        }
        assert_eq!(engine(&EngineError::SeatsUnavailable(vec!["A1".into()])).body()["seats"][0], "A1");
        assert_eq!(
            engine(&EngineError::InsufficientBalance { balance: eur(1), needed: eur(2) }).body()["needed"]["amount_minor"],
            2
        );
    }

    #[test]
    fn storage_errors_map_to_codes() {
        let id = ShowtimeId::new();
        let p = storage(&StorageError::Overlap(id));
        assert_eq!((p.status.as_u16(), p.code), (409, "showtime_overlap"));
        assert_eq!(p.body()["conflicting_showtime_id"], id.to_string());
        assert_eq!(storage(&StorageError::Duplicate("email")).body()["field"], "email");
        let p = storage(&StorageError::Unavailable("secret path /var/x".into()));
        assert_eq!(p.status.as_u16(), 503);
        assert!(!p.body().to_string().contains("/var/x"));
    }
}
