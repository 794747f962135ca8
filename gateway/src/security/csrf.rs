//! CSRF protection for cookie-authenticated requests.
//!
//! A request authenticated by the session cookie (not by `Authorization`, which browsers
//! never add on their own) that changes something (POST, PUT, PATCH, DELETE) must carry the
//! session's CSRF token: in the `X-CSRF-Token` header (API calls from the page's scripts,
//! which read the `boxoffice_csrf` cookie) or, for HTML form posts
//! (`application/x-www-form-urlencoded`), in the `csrf_token` field. The token is
//! HMAC(signing key, session hash), so it needs no storage and dies with the session.
//! Otherwise: 403 `csrf_failed`. SameSite=Lax on the cookie is a second line of defence.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use super::signing::SigningKey;
use crate::auth::{Credential, identify};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The header carrying the token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field carrying the token.
pub const CSRF_FIELD: &str = "csrf_token";

/// The CSRF token of a session.
#[must_use]
pub fn token_for(key: &SigningKey, session_sha256: &[u8; 32]) -> String {
    let mut data = b"csrf|".to_vec();
    data.extend_from_slice(session_sha256);
    URL_SAFE_NO_PAD.encode(key.sign(&data))
}

/// Marks a response as a CSRF refusal, so that the web pages can answer it with a page of
/// their own rather than the API's problem JSON.
#[derive(Clone, Copy, Debug)]
pub struct CsrfRefused;

fn refused(detail: &str) -> Response {
    let mut response =
        ApiError::from(Problem::new(StatusCode::FORBIDDEN, "csrf_failed", "CSRF check failed", detail)).into_response();
    response.extensions_mut().insert(CsrfRefused);
    response
}

/// The middleware (`from_fn_with_state`).
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mutating = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !mutating {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let identity = match identify(&mut parts, &state).await {
        Ok(identity) => identity,
        Err(error) => return error.into_response(),
    };
    let Some(session) = identity.filter(|i| i.credential == Credential::Cookie).and_then(|i| i.token_sha256) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let expected = token_for(&state.security.signing_key, &session);
    let header_token = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (given, body) = match (header_token, is_form) {
        (Some(token), _) => (Some(token), body),
        (None, true) => {
            let limit = state.config.server.body_limit_bytes;
            let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
                return refused("the form body could not be read");
            };
            let field = form_urlencoded_field(&bytes, CSRF_FIELD);
            (field, Body::from(bytes))
        }
        (None, false) => (None, body),
    };
    match given {
        Some(token) if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(Request::from_parts(parts, body)).await
        }
        Some(_) => refused("the CSRF token does not match this session"),
        None => refused("send the session's CSRF token in X-CSRF-Token (or the csrf_token form field)"),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body)).parse().unwrap_or_default(),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_the_session_and_fields_are_read() {
        let key = SigningKey::from_bytes([1; 32]);
        assert_ne!(token_for(&key, &[1; 32]), token_for(&key, &[2; 32]));
        assert_eq!(form_urlencoded_field(b"a=1&csrf_token=x%2By", CSRF_FIELD).as_deref(), Some("x+y"));
        assert_eq!(form_urlencoded_field(b"a=1", CSRF_FIELD), None);
    }
}
