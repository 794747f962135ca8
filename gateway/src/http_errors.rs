//! Errors produced outside handlers, made problem JSON too: the 404 fallback for unknown
//! routes, and a middleware that rewrites bare error responses (axum's 405, the body limit's
//! 413, the timeout's 503, any extractor rejection in plain text) into problem JSON while
//! keeping their headers (`Allow`, ...).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Problem};

/// Largest plain-text error body carried over as `detail`.
const DETAIL_BYTES_MAX: usize = 4096;

/// The fallback: 404 `route_not_found` naming the method and path.
pub async fn route_not_found(method: Method, uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    Problem::new(StatusCode::NOT_FOUND, "route_not_found", "Not found", format!("no route for {method} {path}")).into()
}

/// Rewrites error responses that are not problem JSON (and not HTML pages).
pub async fn problem_fallback(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let rewrite = (status.is_client_error() || status.is_server_error())
        && (content_type.is_empty() || content_type.starts_with("text/plain"));
    if !rewrite {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, DETAIL_BYTES_MAX).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&text).trim().to_owned();
    let mut problem = problem_for(status, &method, detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers.push((name.clone(), value.clone()));
        }
    }
    let mut rewritten = problem.into_response();
    rewritten.extensions_mut().extend(parts.extensions);
    rewritten
}

fn problem_for(status: StatusCode, method: &Method, detail: String) -> Problem {
    let (code, title, default_detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "Method not allowed", format!("{method} is not allowed here; see the Allow header"))
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("payload_too_large", "Payload too large", "the request body is too large".to_owned())
        }
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "Request timeout", "the request took too long".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Unsupported media type",
            "send JSON with Content-Type: application/json".to_owned(),
        ),
        StatusCode::NOT_FOUND => ("route_not_found", "Not found", "not found".to_owned()),
        StatusCode::SERVICE_UNAVAILABLE => {
            ("timeout", "Service unavailable", "the request did not complete in time; check before retrying".to_owned())
        }
        s if s.is_server_error() => {
            ("unavailable", "Service unavailable", "the service could not complete the request".to_owned())
        }
        _ => ("bad_request", "Bad request", "the request was refused".to_owned()),
    };
    // 5xx bodies stay generic; a client error's plain-text reason is safe and useful.
    let detail = if detail.is_empty() || status.is_server_error() { default_detail } else { detail };
    let mut problem = Problem::new(status, code, title, detail);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        problem = problem.header(header::RETRY_AFTER, "1");
    }
    problem
}

/// The answer to a handler that panicked: 500 `internal_error`, generic; the panic is logged.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "Internal error",
        "an internal error occurred; it has been logged",
    )
    .caused_by(format!("handler panicked: {message}"))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_get_codes() {
        assert_eq!(problem_for(StatusCode::METHOD_NOT_ALLOWED, &Method::PUT, String::new()).code, "method_not_allowed");
        let p = problem_for(StatusCode::PAYLOAD_TOO_LARGE, &Method::POST, "length limit exceeded".into());
        assert_eq!((p.code, p.detail.as_str()), ("payload_too_large", "length limit exceeded"));
        let p = problem_for(StatusCode::INTERNAL_SERVER_ERROR, &Method::GET, "secret".into());
        assert!(!p.detail.contains("secret"));
    }
}

#[cfg(test)]
mod layer_tests {
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::middleware::from_fn;
    use axum::routing::get;
    use tower::ServiceExt;
    use tower_http::timeout::TimeoutLayer;

    #[tokio::test]
    async fn a_timed_out_request_is_a_503_problem() {
        let app = Router::new()
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_millis(100)))
            .layer(from_fn(super::problem_fallback));
        let response =
            app.oneshot(Request::get("/slow").body(Body::empty()).expect("request")).await.expect("response");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert_eq!(response.headers()["retry-after"], "1");
        let body = axum::body::to_bytes(response.into_body(), 4096).await.expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(json["code"], "timeout");
    }
}
