//! `GET /api/openapi.json` (the generated OpenAPI 3.1 document) and `GET /api/docs` (its
//! server-rendered browse page).

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::state::AppState;

/// The documentation routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi_json)).route("/api/docs", get(docs_page))
}

/// The OpenAPI document.
pub async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::json())
}

/// The browse page, rendered once.
pub async fn docs_page() -> Html<&'static str> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| {
        let doc = serde_json::to_value(crate::openapi::document()).unwrap_or_default();
        crate::docs_page::render(&doc)
    }))
}
