//! `Idempotency-Key` on every mutating request (POST, PUT, PATCH, DELETE).
//!
//! The key (1 to 200 printable ASCII characters, else 400 `bad_idempotency_key`) is scoped
//! by principal: `staff`, `customer:<id>`, or `public` for requests without a token. The
//! request's fingerprint is the SHA-256 of method, path and query, and body.
//!
//! - A response stored for (scope, key) with the same fingerprint is replayed (same status
//!   and body, header `Idempotency-Replayed: true`) without running the handler.
//! - The same key with another request is 422 `idempotency_key_reused`.
//! - The same key while the first request is still running is 409 `idempotency_in_progress`.
//! - Otherwise the handler runs and its response, unless 5xx, is stored before it is sent.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use boxoffice_storage::IdempotentResponse;
use dashmap::DashSet;
use sha2::{Digest, Sha256};

use crate::auth::{authenticate, hex};
use crate::error::{ApiError, PROBLEM_JSON, Problem};
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header on replayed responses.
pub const IDEMPOTENCY_REPLAYED: &str = "idempotency-replayed";
/// Longest key accepted.
pub const KEY_LEN_MAX: usize = 200;
/// Largest response body remembered; larger responses are sent but not stored.
pub const RESPONSE_BYTES_MAX: usize = 1024 * 1024;

/// Keys whose request is running now, as `(scope, key)`.
#[derive(Debug, Default)]
pub struct InFlight(DashSet<(String, String)>);

/// Removes its key from [`InFlight`] when the request ends (or is dropped on timeout).
struct InFlightGuard<'a> {
    set: &'a InFlight,
    slot: (String, String),
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.set.0.remove(&self.slot);
    }
}

impl InFlight {
    fn begin(&self, scope: &str, key: &str) -> Result<InFlightGuard<'_>, ApiError> {
        let slot = (scope.to_owned(), key.to_owned());
        if !self.0.insert(slot.clone()) {
            return Err(ApiError::conflict(
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still running; retry when it is done",
            ));
        }
        Ok(InFlightGuard { set: self, slot })
    }
}

/// How often stored responses older than `server.idempotency_ttl_ms` are purged.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Starts the task that purges expired idempotent responses until `shutdown` fires.
pub fn spawn_purger(state: &AppState) {
    let (storage, clock, token) = (state.storage.clone(), state.clock.clone(), state.shutdown.clone());
    let ttl_ms = i64::try_from(state.config.server.idempotency_ttl_ms).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        loop {
            tokio::select! {
                () = token.cancelled() => return,
                _ = every.tick() => {}
            }
            match storage.purge_idempotent_responses(clock.now().minus_millis(ttl_ms)).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired idempotent responses purged"),
                Err(error) => tracing::warn!(%error, "purging idempotent responses failed; will retry"),
            }
        }
    });
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mutating = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !mutating || !request.headers().contains_key(IDEMPOTENCY_KEY) {
        return next.run(request).await;
    }
    match idempotent(&state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn idempotent(state: &AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let key = parse_key(request.headers().get(IDEMPOTENCY_KEY))?;
    let (mut parts, body) = request.into_parts();
    let scope = authenticate(&mut parts, state).await?.map_or_else(|| "public".to_owned(), |p| p.scope());
    let limit = state.config.server.body_limit_bytes;
    let body = axum::body::to_bytes(body, limit).await.map_err(|_| payload_too_large(limit))?;
    let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    let fingerprint = fingerprint(&parts.method, path, &body);

    let _running = state.idempotency.begin(&scope, &key)?;
    let ttl_ms = i64::try_from(state.config.server.idempotency_ttl_ms).unwrap_or(i64::MAX);
    let oldest = state.clock.now().minus_millis(ttl_ms);
    let stored = state.storage.idempotent_response(&scope, &key).await?.filter(|s| s.created_at >= oldest);
    if let Some(stored) = stored {
        if stored.request_hash != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
                "this Idempotency-Key was used for a different request; use a new key for a new request",
            )
            .into());
        }
        return Ok(replay(stored));
    }

    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if response.status().is_server_error() {
        return Ok(response);
    }
    let (response_parts, response_body) = response.into_parts();
    // Our handlers build their answers in memory: all of it goes to the client.
    let bytes = axum::body::to_bytes(response_body, usize::MAX)
        .await
        .map_err(|e| ApiError::internal(format!("response body: {e}")))?;
    if bytes.len() > RESPONSE_BYTES_MAX {
        // The work is done and answered; a retry of a request this large runs again.
        tracing::warn!(bytes = bytes.len(), "answer too large to keep for Idempotency-Key replays");
        return Ok(Response::from_parts(response_parts, Body::from(bytes)));
    }
    // A token, password or TOTP secret in the answer is not kept: the store holds no usable
    // credential (docs/security.md), and a replay answers the same with those values `null`.
    let kept = crate::audit::without_secrets(&bytes).unwrap_or_else(|| bytes.to_vec());
    let record = IdempotentResponse {
        request_hash: fingerprint,
        status: response_parts.status.as_u16(),
        body: kept,
        created_at: state.clock.now(),
    };
    if let Err(error) = state.storage.store_idempotent_response(&scope, &key, &record).await {
        // The work is done; answering is better than hiding the outcome. A retry may run again.
        tracing::error!(%error, "could not store the idempotent response");
    }
    Ok(Response::from_parts(response_parts, Body::from(bytes)))
}

fn parse_key(value: Option<&HeaderValue>) -> Result<String, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "bad_idempotency_key",
            format!("Idempotency-Key must be 1 to {KEY_LEN_MAX} printable ASCII characters"),
        )
    };
    let text = value.and_then(|v| v.to_str().ok()).ok_or_else(bad)?;
    let printable = text.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if text.is_empty() || text.len() > KEY_LEN_MAX || !printable {
        return Err(bad());
    }
    Ok(text.to_owned())
}

fn payload_too_large(limit: usize) -> ApiError {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Payload too large",
        format!("the request body is larger than {limit} bytes"),
    )
    .into()
}

/// The fingerprint of a request: hex SHA-256 of method, path and query, and body.
#[must_use]
pub fn fingerprint(method: &Method, path_and_query: &str, body: &Bytes) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(path_and_query.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex(&hasher.finalize())
}

fn replay(stored: IdempotentResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let empty = stored.body.is_empty();
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    if !empty {
        // Every body this API answers is JSON: problem JSON for errors.
        let content_type = if status.is_client_error() { PROBLEM_JSON } else { "application/json" };
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers.insert(IDEMPOTENCY_REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(parse_key(Some(&HeaderValue::from_static("abc-123"))).expect("ok"), "abc-123");
        assert!(parse_key(Some(&HeaderValue::from_static(""))).is_err());
        let long = "k".repeat(KEY_LEN_MAX + 1);
        assert!(parse_key(Some(&HeaderValue::from_str(&long).expect("header"))).is_err());
    }

    #[test]
    fn fingerprints_differ_by_method_path_and_body() {
        let body = Bytes::from_static(b"{}");
        let a = fingerprint(&Method::POST, "/a", &body);
        assert_eq!(a, fingerprint(&Method::POST, "/a", &body));
        assert_ne!(a, fingerprint(&Method::PUT, "/a", &body));
        assert_ne!(a, fingerprint(&Method::POST, "/b", &body));
        assert_ne!(a, fingerprint(&Method::POST, "/a", &Bytes::from_static(b"{ }")));
    }

    #[test]
    fn in_flight_keys_conflict_until_released() {
        let set = InFlight::default();
        let guard = set.begin("staff", "k").expect("first");
        assert_eq!(set.begin("staff", "k").err().map(|e| e.code()), Some("idempotency_in_progress"));
        assert!(set.begin("customer:x", "k").is_ok());
        drop(guard);
        assert!(set.begin("staff", "k").is_ok());
    }
}
