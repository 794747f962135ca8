//! Two-factor authentication from the account page: start the enrolment (a QR code for the
//! authenticator app and the secret to type by hand), confirm it with a first code (the
//! recovery codes are shown once), or turn it off with the password. The API's
//! `/api/v1/me/2fa/*` handlers do the work.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::context::Page;
use super::errors;
use super::forms::{FormData, to_login};
use super::layout::{self, Area, Tone};
use crate::extract::Json;
use crate::routes::two_factor::{self, CodeInput, PasswordInput};
use crate::state::AppState;

/// The two-factor routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/two-factor", get(status_page).post(begin))
        .route("/account/two-factor/confirm", post(confirm))
        .route("/account/two-factor/disable", post(disable))
}

fn respond(page: &Page, status: StatusCode, body: Markup) -> Response {
    let title = page.t("twofa-title");
    layout::respond(status, layout::shell(page, Area::Site, &title, html! { h1 { (title) } (body) }))
}

fn disable_form(page: &Page) -> Markup {
    html! {
        p { (page.t("twofa-on")) }
        form method="post" action="/account/two-factor/disable" {
            (layout::csrf_field(page))
            div class="field" {
                label for="password" { (page.t("field-password")) }
                input type="password" id="password" name="password" autocomplete="current-password" required;
            }
            button type="submit" class="danger" { (page.t("twofa-disable")) }
        }
    }
}

fn begin_form(page: &Page) -> Markup {
    html! {
        p { (page.t("twofa-off")) }
        form method="post" action="/account/two-factor" {
            (layout::csrf_field(page))
            button type="submit" { (page.t("twofa-begin")) }
        }
    }
}

async fn status_page(page: Page) -> Response {
    let Some(identity) = page.identity else { return to_login(&page.path).into_response() };
    let body = if identity.totp_enabled { disable_form(&page) } else { begin_form(&page) };
    respond(&page, StatusCode::OK, body)
}

fn confirm_form(page: &Page, qr_svg: Option<String>, secret: &str) -> Markup {
    html! {
        p { (page.t("twofa-scan")) }
        @if let Some(svg) = qr_svg {
            div class="qr" role="img" aria-label=(page.t("twofa-qr")) { (layout::trusted(svg)) }
        }
        p { (page.t("twofa-secret")) " " code class="reference" { (secret) } }
        form method="post" action="/account/two-factor/confirm" {
            (layout::csrf_field(page))
            input type="hidden" name="secret" value=(secret);
            div class="field" {
                label for="code" { (page.t("field-totp-code")) }
                input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" required;
            }
            button type="submit" { (page.t("twofa-confirm")) }
        }
    }
}

async fn begin(State(state): State<AppState>, page: Page) -> Response {
    let Some(identity) = page.identity else { return to_login("/account/two-factor").into_response() };
    match two_factor::begin(State(state), identity).await {
        Ok(Json(enrolment)) => {
            respond(&page, StatusCode::OK, confirm_form(&page, Some(enrolment.qr_svg), &enrolment.secret))
        }
        Err(error) => respond(&page, error.status(), errors::notice(&page, &error)),
    }
}

async fn confirm(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let Some(identity) = page.identity else { return to_login("/account/two-factor").into_response() };
    let form = FormData(form);
    match two_factor::confirm(State(state), identity, Json(CodeInput { code: form.get("code").to_owned() })).await {
        Ok(Json(codes)) => {
            let body = html! {
                (layout::notice(Tone::Success, &page.t("twofa-enabled")))
                p { (page.t("twofa-recovery")) }
                ul class="reference" { @for code in &codes.recovery_codes { li { code { (code) } } } }
                p { a href="/account" { (page.t("nav-account")) } }
            };
            respond(&page, StatusCode::OK, body)
        }
        Err(error) => {
            // The secret was shown on the previous page; show it again with the error.
            let body = html! { (errors::notice(&page, &error)) (confirm_form(&page, None, form.get("secret"))) };
            respond(&page, error.status(), body)
        }
    }
}

async fn disable(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let Some(identity) = page.identity else { return to_login("/account/two-factor").into_response() };
    let form = FormData(form);
    let input = PasswordInput { password: form.raw("password").to_owned() };
    match two_factor::disable(State(state), identity, Json(input)).await {
        Ok(_) => Redirect::to("/account?notice=saved").into_response(),
        Err(error) => respond(&page, error.status(), html! { (errors::notice(&page, &error)) (disable_form(&page)) }),
    }
}
