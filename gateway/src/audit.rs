//! The audit log of staff actions, written by a middleware on every `/api/v1` route: each
//! successful mutating request (POST, PUT, PATCH, DELETE) of a staff principal (admin,
//! manager, cashier, or the admin token) becomes an entry with who, what (method and
//! route), when, the record before (read before the handler runs, for routes naming a
//! film, auditorium, showtime, booking or account) and after (the answer), and the request
//! id. Secrets in answers (tokens, passwords, recovery codes, TOTP secrets) are redacted.
//! A failed audit write is logged; the action itself stands.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use boxoffice_storage::{AccountId, AuditEntry, AuditoriumId, BookingId, FilmId, ShowtimeId};
use serde_json::Value;

use crate::auth::{Principal, identify};
use crate::error::ApiError;
use crate::state::AppState;

/// Largest answer kept as `after`; larger ones are recorded without it.
pub const AFTER_BYTES_MAX: usize = 256 * 1024;
/// Keys whose values never reach the log.
const SECRET_KEYS: [&str; 8] =
    ["token", "password", "new_password", "recovery_codes", "secret", "otpauth_uri", "qr_svg", "csrf_token"];

/// The full route template: inside the nested `/api/v1` router, axum matches the path
/// without that prefix.
#[must_use]
pub fn full_template(template: &str) -> String {
    if template.starts_with("/api/") { template.to_owned() } else { format!("/api/v1{template}") }
}

/// The kind of record a route is about, and the `{id}` in its path (templates and paths are
/// aligned from their ends, so a nesting prefix does not matter).
#[must_use]
pub fn entity_of(template: &str, path: &str) -> (String, Option<String>) {
    let template = full_template(template);
    let rest = template.strip_prefix("/api/v1/").unwrap_or(&template);
    let first = rest.split('/').next().unwrap_or("");
    let entity = match first {
        "films" => "film",
        "auditoriums" => "auditorium",
        "showtimes" => "showtime",
        "bookings" => "booking",
        "staff" | "kiosks" | "customers" => "account",
        "box-office" => "box_office",
        "me" => "own_account",
        "reviews" => "review",
        other => other,
    };
    let id = template.rsplit('/').zip(path.rsplit('/')).find(|(t, _)| *t == "{id}").map(|(_, p)| p.to_owned());
    (entity.to_owned(), id)
}

async fn before(state: &AppState, entity: &str, id: Option<&str>) -> Option<Value> {
    let id = id?;
    let json = |v: Option<Value>| v;
    match entity {
        "film" => {
            json(state.storage.film(id.parse::<FilmId>().ok()?).await.ok()?.and_then(|f| serde_json::to_value(f).ok()))
        }
        "auditorium" => json(
            state
                .storage
                .auditorium(id.parse::<AuditoriumId>().ok()?)
                .await
                .ok()?
                .and_then(|a| serde_json::to_value(a).ok()),
        ),
        "showtime" => json(
            state
                .storage
                .showtime(id.parse::<ShowtimeId>().ok()?)
                .await
                .ok()?
                .and_then(|s| serde_json::to_value(s).ok()),
        ),
        "booking" => json(
            state.storage.booking(id.parse::<BookingId>().ok()?).await.ok()?.and_then(|b| serde_json::to_value(b).ok()),
        ),
        "account" => {
            let account = state.accounts.account(id.parse::<AccountId>().ok()?).await.ok()??;
            serde_json::to_value(crate::accounts::views::AccountView::from(&account)).ok()
        }
        _ => None,
    }
}

/// `body` (JSON) with the values of secret keys, at any depth, replaced by `null`; `None`
/// when it has none (most bodies: a scan for the keys' names decides without parsing; a
/// name found in a value only costs a parse).
#[must_use]
pub fn without_secrets(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    if !SECRET_KEYS.iter().any(|key| text.contains(key)) {
        return None;
    }
    let mut value: Value = serde_json::from_str(text).ok()?;
    replace_secrets(&mut value, &Value::Null);
    serde_json::to_vec(&value).ok()
}

/// Replaces the values of secret keys, at any depth.
pub fn redact(value: &mut Value) {
    replace_secrets(value, &Value::String("[redacted]".into()));
}

/// Sets the value of every secret key in `value`, at any depth, to `with`.
fn replace_secrets(value: &mut Value, with: &Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if SECRET_KEYS.contains(&key.as_str()) {
                    *inner = with.clone();
                } else {
                    replace_secrets(inner, with);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| replace_secrets(item, with)),
        _ => {}
    }
}

fn label(principal: &Principal) -> String {
    principal.account_id().map_or_else(|| "admin-token".to_owned(), |id| id.to_string())
}

/// The middleware (`route_layer` with `from_fn_with_state`).
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mutating = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !mutating {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let principal = match identify(&mut parts, &state).await {
        Ok(Some(identity)) if identity.principal.role().is_staff() => identity.principal,
        _ => return next.run(Request::from_parts(parts, body)).await,
    };
    let template =
        parts.extensions.get::<MatchedPath>().map_or_else(|| parts.uri.path().to_owned(), |m| m.as_str().to_owned());
    let (entity, entity_id) = entity_of(&template, parts.uri.path());
    let before = before(&state, &entity, entity_id.as_deref()).await;
    let action = format!("{} {}", parts.method, full_template(&template));
    let request_id = parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let response = next.run(Request::from_parts(parts, body)).await;
    if !response.status().is_success() {
        return response;
    }
    let (response_parts, response_body) = response.into_parts();
    // The whole answer goes to the client, whatever its size (our handlers built it in
    // memory); the audit keeps it only up to AFTER_BYTES_MAX.
    let bytes = match axum::body::to_bytes(response_body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, %action, "answer body unreadable; not audited");
            return ApiError::internal(format!("response body: {error}")).into_response();
        }
    };
    let mut after: Option<Value> =
        if bytes.len() <= AFTER_BYTES_MAX { serde_json::from_slice(&bytes).ok() } else { None };
    if let Some(value) = after.as_mut() {
        redact(value);
    }
    // A creation's id is in its answer, not in its path.
    let entity_id = entity_id.or_else(|| after.as_ref()?.get("id")?.as_str().map(str::to_owned));
    let entry = AuditEntry {
        id: 0,
        at: state.clock.now(),
        actor_id: principal.account_id(),
        actor_role: principal.role(),
        actor_label: label(&principal),
        action,
        entity,
        entity_id,
        before,
        after,
        status: response_parts.status.as_u16(),
        request_id,
    };
    if let Err(error) = state.accounts.append_audit(&entry).await {
        tracing::error!(%error, action = %entry.action, "audit entry not written");
    }
    Response::from_parts(response_parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_without_their_secrets() {
        assert_eq!(without_secrets(br#"{"booking":{"id":"b1","seats":["A1"]}}"#), None, "nothing to hide");
        let kept = without_secrets(br#"{"customer":{"id":"c1"},"token":"s3cret","nested":[{"password":"p"}]}"#)
            .expect("a token to hide");
        let kept: Value = serde_json::from_slice(&kept).expect("json");
        assert_eq!(kept, serde_json::json!({"customer":{"id":"c1"},"token":null,"nested":[{"password":null}]}));
        assert!(!String::from_utf8_lossy(&serde_json::to_vec(&kept).expect("json")).contains("s3cret"));
    }

    #[test]
    fn routes_name_their_entity_and_secrets_are_redacted() {
        assert_eq!(entity_of("/api/v1/films/{id}", "/api/v1/films/abc"), ("film".into(), Some("abc".into())));
        assert_eq!(entity_of("/films/{id}/x", "/api/v1/films/abc/x"), ("film".into(), Some("abc".into())));
        assert_eq!(entity_of("/api/v1/kiosks", "/api/v1/kiosks"), ("account".into(), None));
        let mut value = serde_json::json!({"account": {"id": 1}, "token": "s3cret", "list": [{"password": "x"}]});
        redact(&mut value);
        assert_eq!(value["token"], "[redacted]");
        assert_eq!(value["list"][0]["password"], "[redacted]");
        assert_eq!(value["account"]["id"], 1);
    }
}
