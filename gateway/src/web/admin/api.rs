//! The console's changes go through the JSON API, in-process: the request is built here and
//! handed to the `/api/v1` router with the staff member's session cookie and CSRF token, so
//! the API's validation, permission checks, audit log and idempotency all apply. The answer
//! is JSON on success, or problem JSON that [`ApiFailure`] turns into a translated message.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Map, Value};
use tower::ServiceExt;

use crate::security::cookies::SESSION_COOKIE;
use crate::security::csrf::CSRF_HEADER;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;

/// Largest API answer read back.
const ANSWER_BYTES_MAX: usize = 4 * 1024 * 1024;

/// A refused API call.
#[derive(Clone, Debug)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable error code.
    pub code: String,
    /// The English detail.
    pub detail: String,
    /// Extension members (`field`, `seats`, `conflicting_showtime_id`, ...).
    pub extensions: Map<String, Value>,
}

impl ApiFailure {
    fn internal(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable".into(),
            detail: detail.into(),
            extensions: Map::new(),
        }
    }

    /// The message in the page's language.
    #[must_use]
    pub fn message(&self, page: &Page) -> String {
        errors::message_for(page, &self.code, &self.detail, &self.extensions)
    }
}

/// Calls `method path` (relative to `/api/v1`) with `body` as JSON, as the page's visitor.
///
/// # Errors
/// The API's problem, or `unavailable` if the answer cannot be read.
pub async fn call(
    state: &AppState,
    page: &Page,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, ApiFailure> {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = &page.session {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={token}"));
    }
    if let Some(csrf) = &page.csrf {
        request = request.header(CSRF_HEADER, csrf.as_str());
    }
    let request = match body {
        Some(json) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())),
        None => request.body(Body::empty()),
    }
    .map_err(|e| ApiFailure::internal(format!("request: {e}")))?;
    let router = crate::routes::api(state).with_state(state.clone());
    let response = router.oneshot(request).await.map_err(|e| ApiFailure::internal(format!("api: {e}")))?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), ANSWER_BYTES_MAX)
        .await
        .map_err(|e| ApiFailure::internal(format!("answer: {e}")))?;
    let json: Value =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    if status.is_success() {
        return Ok(json);
    }
    let Value::Object(mut members) = json else {
        return Err(ApiFailure {
            status,
            code: "error".into(),
            detail: String::from_utf8_lossy(&bytes).into_owned(),
            extensions: Map::new(),
        });
    };
    let text = |members: &mut Map<String, Value>, key: &str| match members.remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let code = text(&mut members, "code");
    let detail = text(&mut members, "detail");
    for standard in ["type", "title", "status", "instance"] {
        members.remove(standard);
    }
    Err(ApiFailure { status, code, detail, extensions: members })
}
