//! Extractors whose rejections are problem JSON naming what was wrong: [`Json`], [`Path`],
//! [`Query`], [`IdPath`] (one id segment parsed as a typed id), and [`PageParams`].
//!
//! | rejection | status | code |
//! | --- | --- | --- |
//! | JSON syntax error | 400 | `malformed_json` |
//! | missing field, wrong type, unknown field | 422 | `invalid_body` |
//! | no `Content-Type: application/json` | 415 | `unsupported_media_type` |
//! | body larger than `server.body_limit_bytes` | 413 | `payload_too_large` |
//! | bad path segment (e.g. not a UUID) | 400 | `invalid_path` |
//! | bad query string | 400 | `invalid_query` |

use boxoffice_storage::FieldError;
use std::str::FromStr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use boxoffice_storage::PageRequest;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};

/// Most items one page may hold.
pub const PAGE_LIMIT_MAX: u32 = 200;
/// Items per page when `limit` is not given.
pub const PAGE_LIMIT_DEFAULT: u32 = 50;

/// A JSON body (or response) whose rejections are problem JSON.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T, S> OptionalFromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    /// `None` when the body is empty, whatever the `Content-Type` (HTTP clients often send
    /// `application/json` with no body); otherwise the body must be JSON with a JSON
    /// `Content-Type`, as a required body (415 without one, rather than being ignored).
    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if axum::body::HttpBody::is_end_stream(request.body()) {
            return Ok(None); // Known to be empty (`Content-Length: 0`): nothing to read.
        }
        let content_type = request.headers().get(CONTENT_TYPE).cloned();
        // Read through `Bytes`, so that the body size limit applies as to any body.
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(body_rejection)?;
        if bytes.is_empty() {
            return Ok(None);
        }
        // Then axum's JSON extractor, for its `Content-Type` rule and its rejections.
        let mut typed = Request::new(axum::body::Body::from(bytes));
        typed.headers_mut().extend(content_type.map(|value| (CONTENT_TYPE, value)));
        let axum::Json(value) = <axum::Json<T> as FromRequest<S>>::from_request(typed, state).await?;
        Ok(Some(Json(value)))
    }
}

/// A body that could not be read (too large, or the connection failed) as problem JSON.
fn body_rejection(rejection: axum::extract::rejection::BytesRejection) -> ApiError {
    unread_body(rejection.status(), rejection.body_text())
}

/// The problem for a body that was not read: 413 `payload_too_large`, else `bad_body`.
fn unread_body(status: StatusCode, detail: String) -> ApiError {
    let (code, title) = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ("payload_too_large", "Payload too large")
    } else {
        ("bad_body", "Bad request body")
    };
    Problem::new(status, code, title, detail).into()
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let (code, title) = match &rejection {
            JsonRejection::JsonSyntaxError(_) => ("malformed_json", "Malformed JSON"),
            JsonRejection::JsonDataError(_) => ("invalid_body", "Invalid body"),
            JsonRejection::MissingJsonContentType(_) => ("unsupported_media_type", "Unsupported media type"),
            _ => return unread_body(status, rejection.body_text()),
        };
        Problem::new(status, code, title, rejection.body_text()).into()
    }
}

/// Path parameters whose rejections are problem JSON.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => ApiError::bad_request("invalid_path", e.body_text()),
            other => ApiError::internal(other.body_text()),
        }
    }
}

/// A query string whose rejections are problem JSON.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request("invalid_query", rejection.body_text())
    }
}

/// The single `{id}` segment of a route, parsed as a typed id (`FilmId`, ...); a bad value
/// is a 400 `invalid_path` naming it.
#[derive(Debug, Clone, Copy)]
pub struct IdPath<T>(pub T);

impl<S, T> FromRequestParts<S> for IdPath<T>
where
    S: Send + Sync,
    T: FromStr + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        parse_id("id", &raw).map(IdPath)
    }
}

/// Parses an id from a path or query value.
///
/// # Errors
/// 400 `invalid_path` naming the parameter and the value.
pub fn parse_id<T: FromStr>(name: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        let shown: String = raw.chars().take(64).collect();
        ApiError::bad_request("invalid_path", format!("path parameter `{name}`: {shown:?} is not a valid UUID"))
    })
}

/// `offset` and `limit` of a listing, as given in the query string.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items to skip (default 0).
    pub offset: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

impl PageParams {
    /// Checks the range and builds the storage request.
    ///
    /// # Errors
    /// 422 `validation_failed` naming `limit` when it is outside 1..=200.
    pub fn page(self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(PAGE_LIMIT_DEFAULT);
        if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
            return Err(FieldError::range(
                "limit",
                1,
                i64::from(PAGE_LIMIT_MAX),
                format!("must be between 1 and {PAGE_LIMIT_MAX}, got {limit}"),
            )
            .into());
        }
        Ok(PageRequest { offset: self.offset.unwrap_or(0), limit })
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::FilmId;

    use super::*;

    #[test]
    fn page_limits_are_checked() {
        assert_eq!(PageParams::default().page().expect("ok"), PageRequest { offset: 0, limit: 50 });
        let err = PageParams { offset: None, limit: Some(201) }.page().expect_err("too big");
        assert_eq!((err.status().as_u16(), err.code()), (422, "validation_failed"));
        assert!(PageParams { offset: None, limit: Some(0) }.page().is_err());
    }

    #[test]
    fn bad_ids_name_the_parameter() {
        let err = parse_id::<FilmId>("id", "nope").expect_err("bad");
        assert_eq!(err.status().as_u16(), 400);
        assert!(err.problem().detail.contains("`id`"));
    }
}
