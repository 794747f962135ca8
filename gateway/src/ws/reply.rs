//! Server messages of protocol v1 (other than `change` and `snapshot`, which the engine
//! encodes once per showtime): answers, errors with stable codes, and `closing`.

use axum::extract::ws::Utf8Bytes;
use boxoffice_engine::EngineError;
use boxoffice_storage::Money;
use serde_json::{Map, Value, json};

use super::close::CloseReason;
use super::protocol::VERSION;

/// Why a request failed: an engine error (its stable code) or a protocol error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Refused or failed in the engine.
    Engine(EngineError),
    /// Refused by the protocol layer (`code`, words).
    Protocol(&'static str, String),
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Failure::Engine(e)
    }
}

impl Failure {
    /// A protocol failure.
    pub fn protocol(code: &'static str, message: impl Into<String>) -> Self {
        Failure::Protocol(code, message.into())
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Engine(e) => e.code(),
            Failure::Protocol(code, _) => code,
        }
    }
}

/// A message `{"v":1,"type":kind,"id":id, ...fields}`.
#[must_use]
pub fn message(kind: &str, id: Option<&str>, fields: Value) -> Utf8Bytes {
    let mut object = Map::new();
    object.insert("v".into(), json!(VERSION));
    object.insert("type".into(), json!(kind));
    if let Some(id) = id {
        object.insert("id".into(), json!(id));
    }
    if let Value::Object(fields) = fields {
        object.extend(fields);
    }
    Utf8Bytes::from(Value::Object(object).to_string())
}

/// An `error` message; `id` is `null` when the request had no usable id.
#[must_use]
pub fn error(id: Option<&str>, failure: &Failure) -> Utf8Bytes {
    let mut fields = match failure {
        Failure::Engine(e) => engine_extras(e),
        Failure::Protocol(_, _) => Map::new(),
    };
    let text = match failure {
        Failure::Engine(e) => engine_message(e),
        Failure::Protocol(_, message) => message.clone(),
    };
    fields.insert("id".into(), id.map_or(Value::Null, |id| json!(id)));
    fields.insert("code".into(), json!(failure.code()));
    fields.insert("message".into(), json!(text));
    message("error", None, Value::Object(fields))
}

/// A `rate_limited` error saying when to retry.
#[must_use]
pub fn rate_limited(id: Option<&str>, retry_after_ms: u64) -> Utf8Bytes {
    let failure = Failure::protocol("rate_limited", "too many messages; this one was dropped");
    let mut text = error(id, &failure).to_string();
    // Append the hint without re-encoding: `…}` → `…,"retry_after_ms":N}`.
    text.pop();
    text.push_str(&format!(",\"retry_after_ms\":{retry_after_ms}}}"));
    Utf8Bytes::from(text)
}

/// The `closing` message sent just before the close frame.
#[must_use]
pub fn closing(reason: CloseReason) -> Utf8Bytes {
    message("closing", None, json!({"code": reason.code(), "reason": reason.as_str(), "message": reason.message()}))
}

fn money(m: Money) -> Value {
    json!({ "amount_minor": m.amount_minor(), "currency": m.currency().as_str() })
}

/// 5xx-like engine errors keep their cause out of the message (it is logged).
fn engine_message(e: &EngineError) -> String {
    match e {
        EngineError::StorageUnavailable(_) => "the booking could not be recorded; nothing was changed".into(),
        other => other.to_string(),
    }
}

/// The same extension members as the HTTP problems (`error_map.rs`).
fn engine_extras(e: &EngineError) -> Map<String, Value> {
    let mut extras = Map::new();
    match e {
        EngineError::UnknownSeats(seats) | EngineError::SeatsUnavailable(seats) => {
            extras.insert("seats".into(), json!(seats));
        }
        EngineError::NotEnoughTickets { available } => {
            extras.insert("available".into(), json!(available));
        }
        EngineError::UnknownTier(tier) => {
            extras.insert("tier".into(), json!(tier));
        }
        EngineError::InsufficientBalance { balance, needed } => {
            extras.insert("balance".into(), money(*balance));
            extras.insert("needed".into(), money(*needed));
        }
        EngineError::CancellationClosed { deadline } => {
            extras.insert("deadline".into(), json!(deadline));
        }
        EngineError::Overloaded | EngineError::StorageUnavailable(_) | EngineError::Timeout | EngineError::NotOwner => {
            extras.insert("retry_after_ms".into(), json!(1000));
        }
        _ => {}
    }
    extras
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(m: &Utf8Bytes) -> Value {
        serde_json::from_str(m.as_str()).expect("json")
    }

    #[test]
    fn errors_echo_the_id_and_carry_extras() {
        let e = parse(&error(Some("r1"), &Failure::Engine(EngineError::SeatsUnavailable(vec!["A1".into()]))));
        assert_eq!((e["v"].as_u64(), e["type"].as_str(), e["id"].as_str()), (Some(1), Some("error"), Some("r1")));
        assert_eq!((e["code"].as_str(), e["seats"][0].as_str()), (Some("seats_unavailable"), Some("A1")));
        let e = parse(&error(None, &Failure::protocol("malformed_json", "x")));
        assert!(e["id"].is_null());
        let e = parse(&rate_limited(Some("r2"), 50));
        assert_eq!((e["code"].as_str(), e["retry_after_ms"].as_u64()), (Some("rate_limited"), Some(50)));
        let e = parse(&error(Some("r3"), &Failure::Engine(EngineError::StorageUnavailable("/var/secret".into()))));
        assert!(!e.to_string().contains("/var/secret"));
    }
}
