//! Browser protections on every response: a strict Content-Security-Policy (only our own
//! scripts and styles, WebSocket to ourselves, no framing), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (links
//! carry single-use tokens), `X-Frame-Options: DENY`, HSTS under TLS; and CORS, closed
//! unless `security.cors_allowed_origins` lists origins.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower::util::{Either, option_layer};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Settings;

/// The Content-Security-Policy: scripts and stylesheets only from this origin (no inline
/// script; inline `style` attributes place seats on the grid), images from here, `data:` or
/// any `https:` host (film posters are often on a CDN; `Referrer-Policy: no-referrer` applies),
/// WebSocket and fetch only to this origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: https:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// HSTS under TLS: one year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The security headers (HSTS too when TLS is on or cookies are `Secure`) and the CORS
/// layer, as one layer: wrapped around a router, it costs one boxed service per route
/// instead of one per header (axum clones a route's whole service stack per request).
pub fn layer(settings: &Settings) -> SecurityHeadersLayer {
    let hsts = (settings.tls.enabled() || settings.security.cookie_secure)
        .then(|| SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS)));
    ServiceBuilder::new()
        .layer(option_layer(cors(&settings.security.cors_allowed_origins)))
        .layer(option_layer(hsts))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .into_inner()
}

/// The layer [`layer`] builds, outermost first: CORS, HSTS, then the four fixed headers.
pub type SecurityHeadersLayer = Stack<
    SetResponseHeaderLayer<HeaderValue>,
    Stack<
        SetResponseHeaderLayer<HeaderValue>,
        Stack<
            SetResponseHeaderLayer<HeaderValue>,
            Stack<
                SetResponseHeaderLayer<HeaderValue>,
                Stack<
                    Either<SetResponseHeaderLayer<HeaderValue>, Identity>,
                    Stack<Either<CorsLayer, Identity>, Identity>,
                >,
            >,
        >,
    >,
>;

/// The CORS layer for the configured origins; `None` (closed: no CORS headers, browsers
/// refuse cross-origin reads) when none are configured.
#[must_use]
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("x-csrf-token"),
            ])
            .expose_headers([header::LOCATION, header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
            .allow_credentials(true)
            .max_age(Duration::from_secs(600)),
    )
}
