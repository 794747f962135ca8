//! API errors as a visitor reads them: each stable error code has a translated message
//! (`error-{code}` in the Fluent files), with the seats or field it names; codes without
//! one fall back to the problem's English detail.

use axum::http::StatusCode;
use axum::response::Response;
use maud::Markup;

use super::context::Page;
use super::i18n::{Arg, TRANSLATIONS};
use super::layout::{self, Area, Tone};
use crate::error::ApiError;

/// The message for `error`, in the page's language.
#[must_use]
pub fn message(page: &Page, error: &ApiError) -> String {
    let problem = error.problem();
    message_for(page, problem.code, &problem.detail, &problem.extensions)
}

/// The message for a problem given by its parts (e.g. read back from an API answer).
#[must_use]
pub fn message_for(
    page: &Page,
    code: &str,
    detail: &str,
    extensions: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let id = format!("error-{}", code.replace('_', "-"));
    if !TRANSLATIONS.has(&id) {
        return detail.to_owned();
    }
    let seats = extensions
        .get("seats")
        .and_then(|v| v.as_array())
        .map(|seats| seats.iter().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let field = extensions.get("field").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let field_name = if field.is_empty() { String::new() } else { field_label(page, &field) };
    page.tr.with(&id, &[("seats", Arg::Text(&seats)), ("field", Arg::Text(&field_name)), ("detail", Arg::Text(detail))])
}

/// The translated name of a form field, e.g. `first_name` → "First name" (or the raw name).
#[must_use]
pub fn field_label(page: &Page, field: &str) -> String {
    let id = format!("field-{}", field.replace('_', "-"));
    if TRANSLATIONS.has(&id) { page.t(&id) } else { field.to_owned() }
}

/// The notice box of an error.
#[must_use]
pub fn notice(page: &Page, error: &ApiError) -> Markup {
    layout::notice(Tone::Error, &message(page, error))
}

/// A whole page for an error that leaves nothing else to show (e.g. an unknown showtime).
#[must_use]
pub fn page_for(page: &Page, area: Area, error: &ApiError) -> Response {
    let status = error.status();
    let title = if status == StatusCode::NOT_FOUND { page.t("not-found-title") } else { page.t("error-title") };
    layout::message_page(page, area, status, &title, &message(page, error))
}

/// The 404 page for a path segment that is not an id.
#[must_use]
pub fn not_found(page: &Page, area: Area) -> Response {
    layout::message_page(page, area, StatusCode::NOT_FOUND, &page.t("not-found-title"), &page.t("not-found-text"))
}
