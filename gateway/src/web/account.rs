//! Signing in and out, registering, and the pages the email links open (verify the address,
//! reset a forgotten password). Each page calls the same function as its API endpoint, so
//! rate limits, password rules and two-factor checks are the API's.
//!
//! Opening a link shows a form; only submitting it redeems the single-use token, so a mail
//! scanner that fetches links consumes nothing.

use crate::extract::Json;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_storage::{Account, Language, Role, SessionKind};
use maud::{Markup, html};
use serde::Deserialize;

use super::context::Page;
use super::errors;
use super::forms::FormData;
use super::i18n::LANGUAGE_COOKIE;
use super::layout::{self, Area, Tone};
use super::safe_next;
use crate::accounts::links::{self, RESET_PATH, VERIFY_PATH};
use crate::accounts::sessions;
use crate::error::ApiError;
use crate::routes::auth::LoginInput;
use crate::routes::customers::Registration;
use crate::security::client_ip::ClientIp;
use crate::security::cookies;
use crate::state::AppState;

/// The sign-in, registration and link routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/register", get(register_page).post(register))
        .route("/account/forgot-password", get(forgot_page).post(forgot))
        .route(VERIFY_PATH, get(verify_page).post(verify))
        .route(RESET_PATH, get(reset_page).post(reset))
}

/// `?next=` and `?token=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LinkQuery {
    next: String,
    token: String,
}

/// A labelled input: `(id and name, message id of the label, type, value, autocomplete)`.
fn input(
    page: &Page,
    name: &str,
    label_id: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    required: bool,
) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (page.t(label_id)) }
            input type=(kind) id=(name) name=(name) value=(value) autocomplete=(autocomplete) required[required];
        }
    }
}

fn page_response(page: &Page, status: StatusCode, title_id: &str, body: Markup) -> Response {
    let title = page.t(title_id);
    let body = html! { h1 { (title) } (body) };
    layout::respond(status, layout::shell(page, Area::Site, &title, body))
}

/// Adds the session cookies of a fresh sign-in and the account's language cookie.
fn signed_in(mut response: Response, cookies_to_set: Vec<HeaderValue>, language: Language) -> Response {
    for cookie in cookies_to_set {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    let language = cookies::set(LANGUAGE_COOKIE, language.as_str(), 365 * 24 * 3600, false, false);
    if let Ok(value) = HeaderValue::from_str(&language) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Where to go after signing in: `next`, or the console for staff, the bookings for
/// customers.
fn landing(account: &Account, next: &str) -> String {
    let next = safe_next(next);
    if next != "/" && !next.starts_with("/login") {
        return next.to_owned();
    }
    if account.role == Role::Customer { "/account/bookings".to_owned() } else { "/admin".to_owned() }
}

fn login_form(page: &Page, form: &FormData, next: &str, second_factor: bool) -> Markup {
    html! {
        form method="post" action="/login" {
            (layout::csrf_field(page))
            input type="hidden" name="next" value=(safe_next(next));
            (input(page, "email", "field-email", "email", form.get("email"), "username", true))
            (input(page, "password", "field-password", "password", "", "current-password", true))
            @if second_factor {
                div class="field" {
                    label for="totp_code" { (page.t("field-totp-code")) }
                    input type="text" id="totp_code" name="totp_code" inputmode="numeric" autocomplete="one-time-code" maxlength="10";
                    p class="hint" { (page.t("login-totp-hint")) }
                }
                div class="field" {
                    label for="recovery_code" { (page.t("field-recovery-code")) }
                    input type="text" id="recovery_code" name="recovery_code" autocomplete="off" maxlength="40";
                }
            }
            div class="actions" {
                button type="submit" { (page.t("login-submit")) }
                a href="/account/forgot-password" { (page.t("login-forgot")) }
                a href="/register" { (page.t("login-register")) }
            }
        }
    }
}

async fn login_page(page: Page, Query(q): Query<LinkQuery>) -> Response {
    page_response(&page, StatusCode::OK, "login-title", login_form(&page, &FormData::default(), &q.next, false))
}

async fn login(
    State(state): State<AppState>,
    page: Page,
    ip: ClientIp,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData(form);
    let input = LoginInput {
        email: form.get("email").to_owned(),
        password: form.raw("password").to_owned(),
        totp_code: form.optional("totp_code"),
        recovery_code: form.optional("recovery_code"),
        session: true,
    };
    let next = form.get("next").to_owned();
    match crate::routes::auth::login(State(state.clone()), ip, Json(input)).await {
        Ok(api_response) => {
            let account = match state.accounts.account_by_email(form.get("email")).await {
                Ok(Some(account)) => account,
                Ok(None) => return errors::page_for(&page, Area::Site, &ApiError::unauthorized("the account is gone")),
                Err(error) => return errors::page_for(&page, Area::Site, &error.into()),
            };
            let set: Vec<HeaderValue> = api_response.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
            signed_in(Redirect::to(&landing(&account, &next)).into_response(), set, account.language)
        }
        Err(error) => {
            let code = error.code();
            let second_factor = matches!(code, "second_factor_required" | "invalid_second_factor");
            let body = html! {
                @if code == "second_factor_required" {
                    (layout::notice(Tone::Info, &page.t("login-totp-needed")))
                } @else {
                    (errors::notice(&page, &error))
                }
                (login_form(&page, &form, &next, second_factor))
            };
            page_response(&page, error.status(), "login-title", body)
        }
    }
}

async fn logout(State(state): State<AppState>, page: Page) -> Response {
    if let Some(hash) = page.identity.and_then(|i| i.token_sha256)
        && let Err(error) = sessions::revoke(&state, &hash).await
    {
        return errors::page_for(&page, Area::Site, &error);
    }
    let mut response = Redirect::to("/").into_response();
    for cookie in sessions::clear_cookies(&state) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn register_form(page: &Page, form: &FormData) -> Markup {
    let language = form.optional("language").unwrap_or_else(|| page.language().as_str().to_owned());
    html! {
        form method="post" action="/register" {
            (layout::csrf_field(page))
            (input(page, "email", "field-email", "email", form.get("email"), "email", true))
            (input(page, "username", "field-username", "text", form.get("username"), "username", true))
            p class="hint" { (page.t("register-username-hint")) }
            (input(page, "first_name", "field-first-name", "text", form.get("first_name"), "given-name", true))
            (input(page, "last_name", "field-last-name", "text", form.get("last_name"), "family-name", true))
            div class="field" {
                label for="password" { (page.t("field-password")) }
                input type="password" id="password" name="password" autocomplete="new-password" minlength="10" maxlength="128" required aria-describedby="password-hint";
                p class="hint" id="password-hint" { (page.t("register-password-hint")) }
            }
            div class="field" {
                label for="language" { (page.t("field-language")) }
                select id="language" name="language" {
                    option value="en" selected[language == "en"] lang="en" { "English" }
                    option value="fr" selected[language == "fr"] lang="fr" { "Français" }
                }
            }
            div class="actions" {
                button type="submit" { (page.t("register-submit")) }
                a href="/login" { (page.t("register-have-account")) }
            }
        }
    }
}

async fn register_page(page: Page) -> Response {
    page_response(&page, StatusCode::OK, "register-title", register_form(&page, &FormData::default()))
}

async fn register(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let form = FormData(form);
    let input = Registration {
        email: form.get("email").to_owned(),
        username: form.get("username").to_owned(),
        first_name: form.get("first_name").to_owned(),
        last_name: form.get("last_name").to_owned(),
        password: form.raw("password").to_owned(),
        phone: None,
        birth_date: None,
        language: form.optional("language"),
    };
    let outcome = async {
        let registered = crate::routes::customers::register(&state, input).await?;
        // The API's bearer token is not needed by a browser: revoke it, open a cookie session.
        sessions::revoke(&state, &crate::auth::token_sha256(&registered.token)).await?;
        let account = state
            .accounts
            .account(registered.account.id)
            .await?
            .ok_or_else(|| ApiError::not_found("account", registered.account.id))?;
        let issued = sessions::issue(&state, &account, SessionKind::Cookie, "browser").await?;
        Ok::<_, ApiError>((account, issued))
    };
    match outcome.await {
        Ok((account, issued)) => {
            let (set, _) = sessions::cookies_for(&state, &issued);
            signed_in(Redirect::to("/account?notice=registered").into_response(), set, account.language)
        }
        Err(error) => {
            let body = html! { (errors::notice(&page, &error)) (register_form(&page, &form)) };
            page_response(&page, error.status(), "register-title", body)
        }
    }
}

fn forgot_form(page: &Page, email: &str) -> Markup {
    html! {
        p { (page.t("forgot-intro")) }
        form method="post" action="/account/forgot-password" {
            (layout::csrf_field(page))
            (input(page, "email", "field-email", "email", email, "email", true))
            div class="actions" { button type="submit" { (page.t("forgot-submit")) } }
        }
    }
}

async fn forgot_page(page: Page) -> Response {
    page_response(&page, StatusCode::OK, "forgot-title", forgot_form(&page, ""))
}

async fn forgot(
    State(state): State<AppState>,
    page: Page,
    ip: ClientIp,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData(form);
    let request = crate::routes::auth::link_routes::ResetRequest { email: form.get("email").to_owned() };
    match crate::routes::auth::link_routes::request_reset(State(state), ip, Json(request)).await {
        Ok(_) => {
            page_response(&page, StatusCode::OK, "forgot-title", layout::notice(Tone::Success, &page.t("forgot-sent")))
        }
        Err(error) => {
            let body = html! { (errors::notice(&page, &error)) (forgot_form(&page, form.get("email"))) };
            page_response(&page, error.status(), "forgot-title", body)
        }
    }
}

async fn verify_page(page: Page, Query(q): Query<LinkQuery>) -> Response {
    let body = html! {
        p { (page.t("verify-intro")) }
        form method="post" action=(VERIFY_PATH) {
            (layout::csrf_field(&page))
            input type="hidden" name="token" value=(q.token);
            div class="actions" { button type="submit" { (page.t("verify-submit")) } }
        }
    };
    page_response(&page, StatusCode::OK, "verify-title", body)
}

async fn verify(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let form = FormData(form);
    match links::verify_email(&state, form.get("token")).await {
        Ok(_) => {
            let body = html! {
                (layout::notice(Tone::Success, &page.t("verify-done")))
                p { a href="/" { (page.t("back-home")) } }
            };
            page_response(&page, StatusCode::OK, "verify-title", body)
        }
        Err(error) => page_response(&page, error.status(), "verify-title", errors::notice(&page, &error)),
    }
}

fn reset_form(page: &Page, token: &str) -> Markup {
    html! {
        form method="post" action=(RESET_PATH) {
            (layout::csrf_field(page))
            input type="hidden" name="token" value=(token);
            div class="field" {
                label for="new_password" { (page.t("field-new-password")) }
                input type="password" id="new_password" name="new_password" autocomplete="new-password" minlength="10" maxlength="128" required aria-describedby="password-hint";
                p class="hint" id="password-hint" { (page.t("register-password-hint")) }
            }
            div class="actions" { button type="submit" { (page.t("reset-submit")) } }
        }
    }
}

async fn reset_page(page: Page, Query(q): Query<LinkQuery>) -> Response {
    page_response(&page, StatusCode::OK, "reset-title", reset_form(&page, &q.token))
}

async fn reset(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let form = FormData(form);
    match links::reset_password(&state, form.get("token"), form.raw("new_password")).await {
        Ok(_) => {
            let body = html! {
                (layout::notice(Tone::Success, &page.t("reset-done")))
                p { a href="/login" { (page.t("nav-login")) } }
            };
            page_response(&page, StatusCode::OK, "reset-title", body)
        }
        Err(error) => {
            let body = html! { (errors::notice(&page, &error)) (reset_form(&page, form.get("token"))) };
            page_response(&page, error.status(), "reset-title", body)
        }
    }
}
