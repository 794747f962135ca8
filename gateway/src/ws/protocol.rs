//! The client messages of protocol v1 and their decoder. Every request is a JSON object
//! `{"v": 1, "type": "…", "id": "…", …}`; its answer echoes `id`. Decoding never panics
//! (it is fuzzed with arbitrary bytes in `gateway/tests/ws/fuzz.rs`): bad input becomes a
//! [`DecodeError`] with a stable code and, when the request had a usable `id`, that id.

use boxoffice_engine::TierChoice;
use boxoffice_storage::{BookingId, HoldId, PaymentId, ShowtimeId};
use serde::Deserialize;
use serde_json::Value;

/// The protocol version this server speaks.
pub const VERSION: u64 = 1;
/// Longest client request id.
pub const REQUEST_ID_LEN_MAX: usize = 64;
/// Most seats (or tier choices) in one request; the engine's own limit is lower.
pub const SEATS_MAX: usize = 100;

/// A decoded request: its id and what it asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The client's request id, echoed in the answer.
    pub id: String,
    /// What it asks.
    pub body: Body,
}

/// What a request asks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Body {
    /// Authenticate with a bearer token (customer, staff or kiosk); `kiosk` names the
    /// device when a staff token is used.
    Auth {
        /// The bearer token.
        token: String,
        /// Device name, for staff tokens (default `staff`).
        #[serde(default)]
        kiosk: Option<String>,
    },
    /// Subscribe to a showtime's changes, from `since` if given.
    Subscribe {
        /// The showtime.
        showtime_id: ShowtimeId,
        /// The last sequence number the client has.
        #[serde(default)]
        since: Option<u64>,
        /// Changes that are ready together may come as one `changes` message (off by
        /// default: clients that predate `changes` get one `change` message each).
        #[serde(default)]
        coalesce: bool,
    },
    /// Stop receiving a showtime's changes.
    Unsubscribe {
        /// The showtime.
        showtime_id: ShowtimeId,
    },
    /// Hold seats (reserved seating) or a quantity (general admission).
    Hold {
        /// The showtime.
        showtime_id: ShowtimeId,
        /// Seat labels.
        #[serde(default)]
        seats: Option<Vec<String>>,
        /// Number of tickets.
        #[serde(default)]
        quantity: Option<u32>,
    },
    /// Release a hold.
    Release {
        /// The showtime.
        showtime_id: ShowtimeId,
        /// The hold.
        hold_id: HoldId,
    },
    /// Buy a hold: from the wallet (customers) or at the card terminal (kiosks: begins
    /// the payment).
    Purchase {
        /// The showtime.
        showtime_id: ShowtimeId,
        /// The hold.
        hold_id: HoldId,
        /// Tier per ticket; empty: the first tier for every ticket.
        #[serde(default)]
        tiers: Vec<TierChoice>,
    },
    /// Kiosks: the card terminal approved the payment.
    ConfirmPayment {
        /// The payment from `payment_required`.
        payment_id: PaymentId,
        /// The terminal's approval reference.
        terminal_ref: String,
    },
    /// Kiosks: the card terminal declined (or the customer walked away).
    AbortPayment {
        /// The payment from `payment_required`.
        payment_id: PaymentId,
    },
    /// Cancel a booking (and refund it).
    Cancel {
        /// The booking.
        booking_id: BookingId,
    },
    /// Application heartbeat; answered with `pong`.
    Ping {},
}

impl Body {
    /// The message type, for metrics.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Auth { .. } => "auth",
            Body::Subscribe { .. } => "subscribe",
            Body::Unsubscribe { .. } => "unsubscribe",
            Body::Hold { .. } => "hold",
            Body::Release { .. } => "release",
            Body::Purchase { .. } => "purchase",
            Body::ConfirmPayment { .. } => "confirm_payment",
            Body::AbortPayment { .. } => "abort_payment",
            Body::Cancel { .. } => "cancel",
            Body::Ping {} => "ping",
        }
    }
}

/// Every `type` a client may send.
pub const TYPES: [&str; 10] = [
    "auth",
    "subscribe",
    "unsubscribe",
    "hold",
    "release",
    "purchase",
    "confirm_payment",
    "abort_payment",
    "cancel",
    "ping",
];

/// Why a message could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The request id, if the message had a usable one.
    pub id: Option<String>,
    /// Stable code: `malformed_json`, `invalid_message`, `unsupported_version`,
    /// `unknown_type`.
    pub code: &'static str,
    /// What was wrong.
    pub message: String,
}

impl DecodeError {
    fn new(id: Option<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { id, code, message: message.into() }
    }
}

/// Decodes one text message.
///
/// # Errors
/// See [`DecodeError`].
pub fn decode(text: &str) -> Result<Request, DecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::new(None, "malformed_json", format!("not JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(DecodeError::new(None, "invalid_message", "a message is a JSON object"));
    };
    let id = match object.remove("id") {
        Some(Value::String(id)) if valid_id(&id) => id,
        Some(_) => {
            return Err(DecodeError::new(
                None,
                "invalid_message",
                format!("`id` must be a string of 1 to {REQUEST_ID_LEN_MAX} printable characters"),
            ));
        }
        None => return Err(DecodeError::new(None, "invalid_message", "missing `id` (the client request id)")),
    };
    let fail = |code, message: String| Err(DecodeError::new(Some(id.clone()), code, message));
    match object.remove("v") {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(other) => return fail("unsupported_version", format!("version {other} is not supported; use 1")),
        None => return fail("invalid_message", "missing `v` (the protocol version, 1)".into()),
    }
    match object.get("type") {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
        Some(Value::String(t)) => return fail("unknown_type", format!("unknown message type {:?}", clip(t))),
        _ => return fail("invalid_message", "missing `type` (a string)".into()),
    }
    let body: Body = match serde_json::from_value(Value::Object(object)) {
        Ok(body) => body,
        Err(e) => return fail("invalid_message", e.to_string()),
    };
    if let Some(reason) = too_big(&body) {
        return fail("invalid_message", reason);
    }
    Ok(Request { id, body })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= REQUEST_ID_LEN_MAX && id.chars().all(|c| !c.is_control())
}

fn too_big(body: &Body) -> Option<String> {
    match body {
        Body::Hold { seats: Some(seats), .. } if seats.len() > SEATS_MAX => Some(format!("at most {SEATS_MAX} seats")),
        Body::Purchase { tiers, .. } if tiers.len() > SEATS_MAX => Some(format!("at most {SEATS_MAX} tiers")),
        _ => None,
    }
}

/// At most 40 characters of untrusted text, for error messages.
fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_requests_and_names_what_is_wrong() {
        let ok = decode(r#"{"v":1,"type":"ping","id":"a"}"#).expect("ping");
        assert_eq!(ok, Request { id: "a".into(), body: Body::Ping {} });
        let sub = decode(
            r#"{"v":1,"type":"subscribe","id":"b","showtime_id":"0190c4f4-9f7e-7c3a-8f4e-1a2b3c4d5e6f","since":4}"#,
        );
        assert!(matches!(sub, Ok(Request { body: Body::Subscribe { since: Some(4), .. }, .. })));
        let code = |text: &str| decode(text).expect_err(text).code;
        assert_eq!(code("{"), "malformed_json");
        assert_eq!(code("[1]"), "invalid_message");
        assert_eq!(code(r#"{"v":1,"type":"ping"}"#), "invalid_message");
        assert_eq!(code(r#"{"v":2,"type":"ping","id":"x"}"#), "unsupported_version");
        assert_eq!(code(r#"{"v":1,"type":"dance","id":"x"}"#), "unknown_type");
        assert_eq!(code(r#"{"v":1,"type":"ping","id":"x","extra":1}"#), "invalid_message");
        assert_eq!(code(r#"{"v":1,"type":"subscribe","id":"x","showtime_id":"nope"}"#), "invalid_message");
        let err = decode(r#"{"v":1,"type":"dance","id":"x"}"#).expect_err("unknown");
        assert_eq!(err.id.as_deref(), Some("x"));
    }

    #[test]
    fn request_ids_are_counted_in_characters() {
        let ping = |id: &str| decode(&format!(r#"{{"v":1,"type":"ping","id":"{id}"}}"#));
        assert!(ping(&"é".repeat(64)).is_ok(), "64 characters, 128 bytes");
        assert_eq!(ping(&"é".repeat(65)).expect_err("too long").code, "invalid_message");
    }
}
