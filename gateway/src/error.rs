//! [`ApiError`]: every way a request can fail, answered as RFC 9457 problem JSON
//! (`application/problem+json`) with a stable machine `code`.
//!
//! Each engine and storage error is mapped here once (see [`crate::error_map`]). A 5xx body
//! stays generic; the cause goes to the logs, inside the request's span.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use boxoffice_engine::EngineError;
use boxoffice_storage::{FieldError, Reason, StorageError};
use serde_json::{Map, Value};

/// Content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem to answer: status, stable code, human words and extension members.
#[derive(Debug, Clone)]
pub struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `seats_unavailable`.
    pub code: &'static str,
    /// Short human summary of the kind of problem.
    pub title: &'static str,
    /// Human explanation of this occurrence.
    pub detail: String,
    /// Extra members (`seats`, `field`, `balance`, ...).
    pub extensions: Map<String, Value>,
    /// Extra headers (`Retry-After`, `WWW-Authenticate`, `Allow`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Internal cause, logged for 5xx and never sent.
    pub cause: Option<String>,
}

impl Problem {
    /// A problem with no extensions.
    #[must_use]
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, title, detail: detail.into(), extensions: Map::new(), headers: Vec::new(), cause: None }
    }

    /// Adds an extension member.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }

    /// Records the internal cause (logged, never sent).
    #[must_use]
    pub fn caused_by(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), Value::String(problem_type(self.code)));
        body.insert("title".into(), self.title.into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        body.insert("code".into(), self.code.into());
        for (key, value) in &self.extensions {
            body.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Value::Object(body)
    }
}

/// The `type` URI of a code: an anchor in the API browse page's error table.
#[must_use]
pub fn problem_type(code: &str) -> String {
    format!("/api/docs#problem-{code}")
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Storage refused or failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A field of the input is invalid.
    #[error(transparent)]
    Validation(#[from] FieldError),
    /// Any other problem, already shaped.
    #[error("{}: {}", .0.code, .0.detail)]
    Problem(Box<Problem>),
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError::Problem(Box::new(problem))
    }
}

impl ApiError {
    /// 400 with a code naming what was wrong.
    #[must_use]
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, code, "Bad request", detail).into()
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    #[must_use]
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
            .header(header::WWW_AUTHENTICATE, "Bearer")
            .into()
    }

    /// 403.
    #[must_use]
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail).into()
    }

    /// 404 for a missing record.
    #[must_use]
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StorageError::NotFound { entity, id: id.to_string() }.into()
    }

    /// 409 with a code.
    #[must_use]
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, code, "Conflict", detail).into()
    }

    /// 422 `validation_failed` naming the field, the reason's code and its English words.
    #[must_use]
    pub fn invalid(field: &'static str, reason: Reason, detail: impl Into<String>) -> Self {
        FieldError::new(field, reason, detail).into()
    }

    /// 503 with a generic body; `cause` is logged.
    #[must_use]
    pub fn internal(cause: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            "the service could not complete the request; retry later",
        )
        .header(header::RETRY_AFTER, "1")
        .caused_by(cause)
        .into()
    }

    /// The problem to answer.
    #[must_use]
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::Engine(e) => crate::error_map::engine(e),
            ApiError::Storage(e) => crate::error_map::storage(e),
            ApiError::Validation(e) => crate::error_map::field(e),
            ApiError::Problem(p) => (**p).clone(),
        }
    }

    /// The HTTP status this error is answered with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.problem().status
    }

    /// The stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.problem().code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.problem().into_response()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                code = self.code,
                status = self.status.as_u16(),
                cause = self.cause.as_deref().unwrap_or(&self.detail),
                "request failed"
            );
        } else if let Some(cause) = &self.cause {
            tracing::debug!(code = self.code, cause = cause.as_str(), "request refused");
        }
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response =
            (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_rfc9457_members_and_extensions() {
        let p = Problem::new(StatusCode::CONFLICT, "seats_unavailable", "Conflict", "A1 is taken")
            .with("seats", vec!["A1"]);
        let body = p.body();
        assert_eq!(body["type"], "/api/docs#problem-seats_unavailable");
        assert_eq!(body["status"], 409);
        assert_eq!(body["code"], "seats_unavailable");
        assert_eq!(body["seats"][0], "A1");
    }

    #[test]
    fn extensions_cannot_override_standard_members() {
        let p = Problem::new(StatusCode::BAD_REQUEST, "x", "Bad request", "d").with("status", 200);
        assert_eq!(p.body()["status"], 400);
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let body = ApiError::internal("disk on fire").problem().body();
        assert!(!body.to_string().contains("disk"));
    }
}
