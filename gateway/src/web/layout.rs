//! The page shell every page is drawn in: `<html lang>`, the skip link, the header with the
//! navigation and the language switcher, `<main id="main">`, and the footer. Also the small
//! pieces many pages share (a notice box, a hidden CSRF field, a page response).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use boxoffice_storage::Language;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::context::Page;

/// The kind of a notice box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something went well.
    Success,
    /// Something needs attention or failed.
    Error,
    /// Information.
    Info,
}

/// A notice (`role="alert"` for errors, so screen readers announce it).
#[must_use]
pub fn notice(tone: Tone, text: &str) -> Markup {
    let class = match tone {
        Tone::Success => "notice notice-success",
        Tone::Error => "notice notice-error",
        Tone::Info => "notice notice-info",
    };
    html! {
        @if tone == Tone::Error {
            div class=(class) role="alert" { (text) }
        } @else {
            div class=(class) role="status" { (text) }
        }
    }
}

/// The hidden CSRF field of a form posted by a signed-in visitor.
#[must_use]
pub fn csrf_field(page: &Page) -> Markup {
    html! {
        @if let Some(token) = &page.csrf {
            input type="hidden" name="csrf_token" value=(token);
        }
    }
}

/// Which part of the site a page belongs to (it decides the navigation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// The customer site.
    Site,
    /// The staff console.
    Admin,
}

/// The link to this page in the other language.
fn switch_href(page: &Page, to: Language) -> String {
    let next = urlencode(&page.path);
    format!("/lang?set={}&next={next}", to.as_str())
}

/// Percent-encodes a string for a query parameter.
#[must_use]
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The whole page.
#[must_use]
pub fn shell(page: &Page, area: Area, title: &str, body: Markup) -> Markup {
    let site = page.site_name.as_str();
    let other = match page.language() {
        Language::En => Language::Fr,
        Language::Fr => Language::En,
    };
    let full_title = if title.is_empty() { site.to_owned() } else { format!("{title} · {site}") };
    html! {
        (DOCTYPE)
        html lang=(page.language().as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                link rel="stylesheet" href=(super::assets::STYLESHEET);
                link rel="icon" href="data:,";
            }
            body class=(if area == Area::Admin { "admin" } else { "site" }) {
                a class="skip-link" href="#main" { (page.t("skip-to-content")) }
                header class="top" {
                    div class="bar" {
                        @match area {
                            Area::Site => a class="brand" href="/" { (site) },
                            Area::Admin => a class="brand" href="/admin" { (site) " · " (page.t("admin-brand")) },
                        }
                        nav aria-label=(page.t("nav-label")) {
                            ul {
                                @match area {
                                    Area::Site => { (site_links(page)) }
                                    Area::Admin => { (super::admin::nav::links(page)) }
                                }
                                li {
                                    a href=(switch_href(page, other)) hreflang=(other.as_str()) lang=(other.as_str()) {
                                        (page.t("switch-language"))
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    (body)
                }
                footer class="bottom" {
                    p { (site) " · " a href="/api/docs" { (page.t("footer-api")) } }
                }
            }
        }
    }
}

fn site_links(page: &Page) -> Markup {
    html! {
        li { a href="/" { (page.t("nav-home")) } }
        @if page.customer().is_some() {
            li { a href="/account/bookings" { (page.t("nav-bookings")) } }
            li { a href="/account/wallet" { (page.t("nav-wallet")) } }
            li { a href="/account" { (page.t("nav-account")) } }
            li { (logout_button(page)) }
        } @else if page.staff_role().is_some() {
            li { a href="/admin" { (page.t("nav-console")) } }
            li { (logout_button(page)) }
        } @else {
            li { a href="/login" { (page.t("nav-login")) } }
            li { a href="/register" { (page.t("nav-register")) } }
        }
    }
}

/// The sign-out button (a form: signing out changes state, so it is a POST).
#[must_use]
pub fn logout_button(page: &Page) -> Markup {
    html! {
        form class="inline" method="post" action="/logout" {
            (csrf_field(page))
            button type="submit" class="link" { (page.t("nav-logout")) }
        }
    }
}

/// An HTML response that no cache keeps (pages show personal data and CSRF tokens).
#[must_use]
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

/// A page with only a heading and a notice: errors such as "not found".
#[must_use]
pub fn message_page(page: &Page, area: Area, status: StatusCode, title: &str, text: &str) -> Response {
    let tone = if status.is_success() { Tone::Info } else { Tone::Error };
    let body = html! {
        h1 { (title) }
        (notice(tone, text))
        p { a href=(if area == Area::Admin { "/admin" } else { "/" }) { (page.t("back-home")) } }
    };
    respond(status, shell(page, area, title, body))
}

/// Trusted markup (an inline SVG we generated).
#[must_use]
pub fn trusted(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}
