//! The web site for customers (`/`) and the staff console (`/admin`): server-rendered HTML
//! (maud) over the same engine and storage as the API, in English and French.
//!
//! Every page works as plain HTML forms; two small scripts add the live seat map (over
//! `/ws`) and the hold countdown. Handlers call the same functions as the API handlers, so a
//! rule lives in one place; API errors become translated messages (`error-{code}`).
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`context`] | [`context::Page`]: language, session, CSRF token of a request |
//! | [`i18n`], [`format`] | Fluent translations; money, dates and durations per language |
//! | [`layout`] | the page shell, notices, the CSRF field |
//! | [`assets`] | stylesheet, scripts, generated posters |
//! | [`timing`] | the `Server-Timing` header of every page (render time) |
//! | [`errors`] | API errors as messages and error pages |
//! | [`forms`] | reading posted forms |
//! | [`home`], [`film`], [`reviews`], [`review_moderation`] | the listings; a film's page and its reviews; hiding (confirmed) and showing again |
//! | [`seats`], [`checkout`], [`tickets`] | seat selection and hold; checkout; the booking and its cancellation |
//! | [`account`], [`account_pages`] | sign-in, registration, links; profile, history, wallet, deletion |
//! | [`two_factor`] | turning two-factor authentication on and off |
//! | [`admin`] | the staff console |

pub mod account;
pub mod account_pages;
pub mod admin;
pub mod assets;
pub mod checkout;
pub mod context;
pub mod errors;
pub mod film;
pub mod format;
pub mod forms;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod review_moderation;
pub mod reviews;
pub mod seats;
pub mod tickets;
pub mod timing;
pub mod two_factor;

use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::Language;
use serde::Deserialize;

use self::context::Page;
use crate::security::cookies;
use crate::state::AppState;

/// The pages (and their assets), behind the CSRF check of cookie sessions.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(film::router())
        .merge(reviews::router())
        .merge(review_moderation::router())
        .merge(seats::router())
        .merge(checkout::router())
        .merge(tickets::router())
        .merge(account::router())
        .merge(account_pages::router())
        .merge(two_factor::router())
        .merge(admin::router(state))
        .route("/lang", get(switch_language))
        .layer(from_fn_with_state(state.clone(), crate::security::csrf::middleware))
        .layer(from_fn_with_state(state.clone(), stale_form_page))
        .layer(axum::middleware::from_fn(timing::middleware))
        .merge(assets::router())
}

/// The fallback for unknown paths: an HTML 404 page for browsers (they ask for
/// `text/html`) outside `/api`, the API's problem JSON otherwise.
pub async fn not_found(page: Page, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    if wants_html && !uri.path().starts_with("/api/") {
        return errors::not_found(&page, layout::Area::Site);
    }
    crate::http_errors::route_not_found(method, uri).await.into_response()
}

/// `?set=fr&next=/films/…`.
#[derive(Debug, Deserialize)]
struct SwitchQuery {
    #[serde(default)]
    set: String,
    #[serde(default)]
    next: String,
}

/// A path on this site to go back to, or `/` (never another host: `//evil`, `https:`, a
/// backslash, and control characters or white space — browsers drop tabs and line feeds
/// from a URL, so `/\t/evil` is `//evil` to them, and a line feed cannot go in a header — are
/// refused).
#[must_use]
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if local && next.len() <= 2000 { next } else { "/" }
}

/// A form refused by the CSRF check (typically posted from a tab opened before the visitor
/// signed in or out elsewhere) gets a page in the visitor's language saying what happened,
/// not the API's problem JSON.
async fn stale_form_page(page: Page, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    if response.extensions().get::<crate::security::csrf::CsrfRefused>().is_none() {
        return response;
    }
    let area = if page.staff_role().is_some() { layout::Area::Admin } else { layout::Area::Site };
    let (title, text) = (page.t("stale-form-title"), page.t("stale-form-text"));
    layout::message_page(&page, area, axum::http::StatusCode::FORBIDDEN, &title, &text)
}

/// Remembers the chosen language in a cookie (a year) and goes back to the page.
async fn switch_language(Query(query): Query<SwitchQuery>) -> Response {
    let next = safe_next(&query.next).to_owned();
    let Ok(language) = query.set.parse::<Language>() else {
        return Redirect::to(&next).into_response();
    };
    let cookie = cookies::set(i18n::LANGUAGE_COOKIE, language.as_str(), 365 * 24 * 3600, false, false);
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/films/1?x=2"), "/films/1?x=2");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/", "browsers drop the tab: //evil.example");
        assert_eq!(safe_next("/\r\n/x"), "/", "a line break cannot go in a Location header");
        assert_eq!(safe_next("/ /evil.example"), "/");
    }
}
