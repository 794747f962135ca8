//! API errors as a visitor reads them: each stable error code has a translated message
//! (`error-{code}` in the Fluent files; a unit test checks every code of the catalogue),
//! with the seats, field, dependents or conflicting times it names. Only a code missing
//! from the files would fall back to the problem's English detail.

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
    let mut id = format!("error-{}", code.replace('_', "-"));
    if !TRANSLATIONS.has(&id) {
        return detail.to_owned();
    }
    let count = |name: &str| extensions.get(name).and_then(serde_json::Value::as_i64);
    let (showtimes, bookings) = (count("showtimes"), count("bookings").unwrap_or(0));
    if code == "has_dependents" && showtimes.is_none() {
        id = "error-has-dependents-bookings".to_owned();
    }
    // An overlap names the other showtime's times, in the cinema's time zone.
    let time_of = |name: &str| {
        extensions
            .get("conflicting_showtime")
            .and_then(|other| other.get(name))
            .and_then(serde_json::Value::as_str)
            .and_then(|text| boxoffice_storage::Timestamp::parse_rfc3339(text).ok())
    };
    let (from, to) = match (time_of("starts_at"), time_of("ends_at")) {
        (Some(from), Some(to)) => {
            (super::format::day_and_time(page.language(), page.tz, from), super::format::time(page.tz, to))
        }
        _ => {
            if code == "showtime_overlap" {
                id = "error-showtime-overlap-unknown".to_owned();
            }
            (String::new(), String::new())
        }
    };
    let seats = extensions
        .get("seats")
        .and_then(|v| v.as_array())
        .map(|seats| seats.iter().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let field = extensions.get("field").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let reason = reason_text(page, extensions);
    let detail = reason.as_deref().unwrap_or(detail);
    let field_name = if field.is_empty() { String::new() } else { field_label(page, &field) };
    page.tr.with(
        &id,
        &[
            ("seats", Arg::Text(&seats)),
            ("field", Arg::Text(&field_name)),
            ("detail", Arg::Text(detail)),
            ("showtimes", Arg::Number(showtimes.unwrap_or(0))),
            ("bookings", Arg::Number(bookings)),
            ("from", Arg::Text(&from)),
            ("to", Arg::Text(&to)),
        ],
    )
}

/// A validation failure's reason told in the page's language: `reason-<code>` with the
/// problem's `params` (numbers stay numbers for plural rules). `None` without a known reason.
#[must_use]
pub fn reason_text(page: &Page, extensions: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let code = extensions.get("reason").and_then(serde_json::Value::as_str)?;
    let id = format!("reason-{}", code.replace('_', "-"));
    if !TRANSLATIONS.has(&id) {
        return None;
    }
    let params = extensions.get("params").and_then(serde_json::Value::as_object);
    let texts: Vec<(&str, String)> = params
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| value.as_str().map(|text| (name.as_str(), text.to_owned())))
        .collect();
    let mut args: Vec<(&str, Arg<'_>)> = texts.iter().map(|(name, text)| (*name, Arg::Text(text))).collect();
    args.extend(
        params
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| value.as_i64().map(|n| (name.as_str(), Arg::Number(n)))),
    );
    Some(page.tr.with(&id, &args))
}

/// The translated name of a form field, e.g. `first_name` → "First name" (or the raw name).
#[must_use]
pub fn field_label(page: &Page, field: &str) -> String {
    let id = format!("field-{}", field.replace(['_', '.'], "-"));
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

/// A record a page looked up: itself, or the page for "not found" or for the error.
///
/// # Errors
/// The page to answer with instead (boxed, as [`super::admin::guard::require`]'s).
pub fn found<T, E: Into<ApiError>>(page: &Page, area: Area, lookup: Result<Option<T>, E>) -> Result<T, Box<Response>> {
    match lookup {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err(Box::new(not_found(page, area))),
        Err(error) => Err(Box::new(page_for(page, area, &error.into()))),
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::Language;
    use serde_json::json;

    use super::*;
    use crate::web::i18n::Tr;

    #[test]
    fn every_error_code_has_a_message_in_both_languages() {
        for (code, _, _) in crate::error_codes::ERROR_CODES {
            let id = format!("error-{}", code.replace('_', "-"));
            for language in [Language::En, Language::Fr] {
                let text = Tr(language).t(&id);
                assert!(text != id && !text.is_empty(), "no {language:?} message for {code}");
            }
        }
    }

    #[test]
    fn every_validation_reason_has_a_message_in_both_languages() {
        for reason in boxoffice_storage::Reason::ALL {
            let id = format!("reason-{}", reason.code().replace('_', "-"));
            let args: Vec<(&str, Arg<'_>)> = reason.params().iter().map(|name| (*name, Arg::Number(7))).collect();
            for language in [Language::En, Language::Fr] {
                let text = Tr(language).with(&id, &args);
                assert!(text != id && !text.is_empty(), "no {language:?} message for reason {}", reason.code());
                assert!(!text.contains('{'), "{language:?} reason {} lacks a parameter: {text}", reason.code());
            }
        }
    }

    #[test]
    fn validation_reasons_are_told_in_the_page_language() {
        let problem = crate::error::ApiError::from(
            boxoffice_storage::FieldError::new(
                "password",
                boxoffice_storage::Reason::PasswordTooShort,
                "must be at least 10 characters",
            )
            .param("min", 10_i64),
        )
        .problem();
        assert_eq!(problem.extensions["reason"], "password_too_short");
        assert_eq!(problem.extensions["params"]["min"], 10);
        let text = message(&Page::for_tests(Language::Fr), &crate::error::ApiError::from(problem));
        assert!(text.starts_with("Mot de passe") && text.contains("10 caractères") && !text.contains("must"), "{text}");
        let text = message(
            &Page::for_tests(Language::En),
            &crate::error::ApiError::invalid(
                "email",
                boxoffice_storage::Reason::Email,
                "\"x\" is not an email address",
            ),
        );
        assert!(text.starts_with("Email address") && !text.contains("\"x\""), "{text}");
    }

    #[test]
    fn the_engines_invalid_request_detail_is_not_shown_in_english_on_french_pages() {
        let empty = serde_json::Map::new();
        let detail = "seat F12 is named twice";
        let fr = message_for(&Page::for_tests(Language::Fr), "invalid_request", detail, &empty);
        assert!(fr.starts_with("Cette demande") && !fr.contains("named twice"), "{fr}");
        let en = message_for(&Page::for_tests(Language::En), "invalid_request", detail, &empty);
        assert_eq!(en, detail, "English pages keep the engine's precise detail");
    }

    #[test]
    fn dependents_and_overlaps_are_told_in_words() {
        let page = Page::for_tests(Language::En);
        let extensions = json!({"showtimes": 2, "bookings": 1});
        let text =
            message_for(&page, "has_dependents", "retry with ?cascade=true", extensions.as_object().expect("map"));
        assert!(text.contains("2 future showtimes and one confirmed booking") && !text.contains("cascade"), "{text}");
        let extensions = json!({"bookings": 3});
        let text = message_for(&page, "has_dependents", "", extensions.as_object().expect("map"));
        assert!(text.contains("3 confirmed bookings depend on it"), "{text}");
        let extensions = json!({"conflicting_showtime": {"starts_at": "2026-12-05T19:30:00.000Z", "ends_at": "2026-12-05T21:45:00.000Z"}});
        let text =
            message_for(&page, "showtime_overlap", "overlaps showtime 01…", extensions.as_object().expect("map"));
        assert!(text.contains("20:30") && text.contains("to 22:45") && !text.contains("01…"), "{text}");
        let page = Page::for_tests(Language::Fr);
        let text = message_for(&page, "showtime_overlap", "overlaps", &serde_json::Map::new());
        assert!(text.starts_with("Cette salle est déjà occupée"), "{text}");
    }
}
