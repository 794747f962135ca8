//! `Server-Timing: render;dur=<ms>` on every page: the time from the request reaching the
//! page router to the finished HTML (maud renders into a string, so the handler's end is
//! the render's end). `boxoffice-load pages` reads it to report render times per page.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header's name.
pub const SERVER_TIMING: &str = "server-timing";

/// The middleware (`from_fn`).
pub async fn middleware(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("render;dur={ms:.3}")) {
        response.headers_mut().insert(SERVER_TIMING, value);
    }
    response
}
