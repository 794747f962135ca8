//! The signed-in customer's pages: profile (names, language, email verification), booking
//! history with cancellation, wallet statement, data export and account deletion (behind a
//! confirmation with the password).

use crate::extract::Json;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_storage::{Account, BookingStatus, BookingWhen, CustomerId, LedgerEntry, LedgerKind, PageRequest};
use maud::{Markup, html};
use serde::Deserialize;

use super::context::Page;
use super::errors;
use super::format;
use super::forms::{FormData, to_login};
use super::i18n::{Arg, LANGUAGE_COOKIE};
use super::layout::{self, Area, Tone};
use super::seats::NoticeQuery;
use crate::auth::{CustomerPrincipal, Identity};
use crate::error::ApiError;
use crate::routes::profile::{Deletion, ProfilePatch};
use crate::security::cookies;
use crate::state::AppState;

/// How many bookings and ledger entries a page lists.
const PAGE_SIZE: u32 = 50;

/// The account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(profile_page).post(save_profile))
        .route("/account/verify-email/resend", post(resend))
        .route("/account/bookings", get(bookings_page))
        .route("/account/wallet", get(wallet_page))
        .route("/account/export", get(export))
        .route("/account/delete", get(delete_page).post(delete))
}

/// `?page=` of a list, from 1.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    page: String,
    notice: String,
}

impl ListQuery {
    fn page(&self) -> PageRequest {
        let number = self.page.parse::<u32>().unwrap_or(1).clamp(1, 10_000);
        PageRequest { offset: (number - 1) * PAGE_SIZE, limit: PAGE_SIZE }
    }
}

/// The signed-in customer and their identity, or the sign-in page.
fn signed_in(page: &Page) -> Result<(CustomerId, Identity), Box<Response>> {
    match (page.customer(), page.identity) {
        (Some(customer), Some(identity)) => Ok((customer, identity)),
        _ => Err(Box::new(to_login(&page.path).into_response())),
    }
}

fn respond(page: &Page, status: StatusCode, title_id: &str, body: Markup) -> Response {
    let title = page.t(title_id);
    layout::respond(status, layout::shell(page, Area::Site, &title, html! { h1 { (title) } (body) }))
}

async fn load_account(state: &AppState, identity: &Identity) -> Result<Account, ApiError> {
    let id = identity.principal.account_id().ok_or_else(|| ApiError::forbidden("no account"))?;
    crate::routes::customers::own_account(state, id).await
}

async fn profile_page(State(state): State<AppState>, page: Page, Query(notice): Query<NoticeQuery>) -> Response {
    let (_, identity) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    match load_account(&state, &identity).await {
        Ok(account) => respond(&page, StatusCode::OK, "account-title", profile(&page, &account, notice.markup(&page))),
        Err(error) => errors::page_for(&page, Area::Site, &error),
    }
}

fn profile(page: &Page, account: &Account, notice: Option<Markup>) -> Markup {
    let language = account.language.as_str();
    html! {
        @if let Some(notice) = notice { (notice) }
        @if !account.email_verified() {
            (layout::notice(Tone::Info, &page.t("account-verify-needed")))
            form method="post" action="/account/verify-email/resend" {
                (layout::csrf_field(page))
                button type="submit" class="secondary" { (page.t("account-resend")) }
            }
        }
        dl class="facts" {
            dt { (page.t("field-email")) } dd { (account.email.as_deref().unwrap_or("")) }
            dt { (page.t("field-username")) } dd { (account.username) }
            dt { (page.t("account-2fa")) } dd {
                (page.t(if account.totp_enabled() { "account-2fa-on" } else { "account-2fa-off" }))
                " · " a href="/account/two-factor" { (page.t("account-2fa-manage")) }
            }
        }
        h2 { (page.t("account-profile")) }
        form method="post" action="/account" {
            (layout::csrf_field(page))
            div class="field" {
                label for="first_name" { (page.t("field-first-name")) }
                input type="text" id="first_name" name="first_name" value=(account.first_name) autocomplete="given-name" required;
            }
            div class="field" {
                label for="last_name" { (page.t("field-last-name")) }
                input type="text" id="last_name" name="last_name" value=(account.last_name) autocomplete="family-name" required;
            }
            div class="field" {
                label for="language" { (page.t("field-language")) }
                select id="language" name="language" {
                    option value="en" selected[language == "en"] lang="en" { "English" }
                    option value="fr" selected[language == "fr"] lang="fr" { "Français" }
                }
            }
            div class="actions" { button type="submit" { (page.t("account-save")) } }
        }
        h2 { (page.t("account-data")) }
        ul {
            li { a href="/account/bookings" { (page.t("nav-bookings")) } }
            li { a href="/account/wallet" { (page.t("nav-wallet")) } }
            li { a href="/account/export" download { (page.t("account-export")) } }
            li { a href="/account/delete" { (page.t("account-delete")) } }
        }
    }
}

async fn save_profile(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let (_, identity) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let form = FormData(form);
    let patch = ProfilePatch {
        first_name: Some(form.get("first_name").to_owned()),
        last_name: Some(form.get("last_name").to_owned()),
        phone: None,
        birth_date: None,
        language: form.optional("language"),
    };
    match crate::routes::profile::update_profile(State(state.clone()), identity, Json(patch)).await {
        Ok(Json(view)) => {
            let mut response = Redirect::to("/account?notice=saved").into_response();
            let cookie = cookies::set(LANGUAGE_COOKIE, view.language.as_str(), 365 * 24 * 3600, false, false);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => match load_account(&state, &identity).await {
            Ok(mut account) => {
                // Shown again as typed, so that only the wrong field needs fixing.
                account.first_name = form.get("first_name").to_owned();
                account.last_name = form.get("last_name").to_owned();
                if let Some(language) = form.optional("language").and_then(|l| l.parse().ok()) {
                    account.language = language;
                }
                respond(
                    &page,
                    error.status(),
                    "account-title",
                    profile(&page, &account, Some(errors::notice(&page, &error))),
                )
            }
            Err(error) => errors::page_for(&page, Area::Site, &error),
        },
    }
}

async fn resend(State(state): State<AppState>, page: Page) -> Response {
    let (_, identity) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    match crate::routes::auth::link_routes::resend_verification(State(state), identity).await {
        Ok(_) => Redirect::to("/account?notice=verification-sent").into_response(),
        Err(error) => errors::page_for(&page, Area::Site, &error),
    }
}

async fn bookings_page(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Response {
    let (customer, _) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let now = state.clock.now();
    let history = match state.accounts.booking_history(customer, BookingWhen::All, now, q.page()).await {
        Ok(history) => history,
        Err(error) => return errors::page_for(&page, Area::Site, &error.into()),
    };
    let notice = NoticeQuery { notice: q.notice.clone() }.markup(&page);
    let body = html! {
        @if let Some(notice) = notice { (notice) }
        @if history.items.is_empty() {
            p { (page.t("bookings-none")) " " a href="/" { (page.t("nav-home")) } }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { (page.t("bookings-film")) }
                        th scope="col" { (page.t("bookings-when")) }
                        th scope="col" { (page.t("bookings-seats")) }
                        th scope="col" class="num" { (page.t("ticket-total")) }
                        th scope="col" { (page.t("bookings-status")) }
                    } }
                    tbody {
                        @for item in &history.items {
                            @let b = &item.booking;
                            tr {
                                td { a href=(format!("/bookings/{}", b.record.id)) { (item.film_title.as_deref().unwrap_or(&b.record.reference)) } }
                                td { @if let Some(at) = item.starts_at { time datetime=(format::machine(at)) { (format::day_and_time(page.language(), page.tz, at)) } } }
                                td { (b.record.lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                td class="num" { (format::money(page.language(), b.record.total)) }
                                td {
                                    @if b.status == BookingStatus::Cancelled {
                                        (page.t("bookings-cancelled"))
                                    } @else {
                                        (page.t("bookings-confirmed"))
                                        @if item.starts_at.is_some_and(|at| at > now) {
                                            " · " a href=(format!("/bookings/{}/cancel", b.record.id)) { (page.t("ticket-cancel")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(&page, "/account/bookings", &q, history.total))
        }
    };
    respond(&page, StatusCode::OK, "bookings-title", body)
}

fn pager(page: &Page, path: &str, q: &ListQuery, total: u64) -> Markup {
    let request = q.page();
    let number = request.offset / PAGE_SIZE + 1;
    let more = u64::from(request.offset + PAGE_SIZE) < total;
    html! {
        nav class="actions" aria-label=(page.t("pager-label")) {
            @if number > 1 { a href=(format!("{path}?page={}", number - 1)) { (page.t("pager-previous")) } }
            @if more { a href=(format!("{path}?page={}", number + 1)) { (page.t("pager-next")) } }
        }
    }
}

fn ledger_kind(page: &Page, kind: LedgerKind) -> String {
    page.t(match kind {
        LedgerKind::Credit => "wallet-credit",
        LedgerKind::Payment => "wallet-payment",
        LedgerKind::Refund => "wallet-refund",
        LedgerKind::Adjustment => "wallet-adjustment",
    })
}

/// The words of a wallet movement in the page's language: what the system recorded is told
/// from the movement's reference (`credit:start:…`, `terminal:…`, `payment:…`, `refund:…`);
/// a staff adjustment or top-up shows the reason the staff member typed.
#[must_use]
pub fn ledger_words(page: &Page, entry: &LedgerEntry) -> String {
    let reference = entry.reference.as_str();
    if reference.starts_with("credit:start:") {
        page.t("wallet-memo-start")
    } else if reference.starts_with("terminal:") {
        page.t("wallet-memo-card")
    } else if reference.starts_with("payment:") {
        // The engine's memo starts with the number of tickets ("2 ticket(s), …").
        let digits: String = entry.memo.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<i64>() {
            Ok(count) => page.tr.with("wallet-memo-payment", &[("count", Arg::Number(count))]),
            Err(_) => page.t("wallet-memo-tickets"),
        }
    } else if reference.starts_with("refund:") {
        page.t("wallet-memo-refund")
    } else {
        entry.memo.clone()
    }
}

async fn wallet_page(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Response {
    let (customer, _) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let loaded = async {
        let balance = state.storage.wallet_balance(customer, state.currency()).await?;
        let ledger = state.storage.ledger(customer, q.page()).await?;
        Ok::<_, ApiError>((balance, ledger))
    };
    let (balance, ledger) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return errors::page_for(&page, Area::Site, &error),
    };
    let body = html! {
        p class="reference" { (page.tr.with("wallet-balance", &[("balance", Arg::Text(&format::money(page.language(), balance)))])) }
        @if ledger.items.is_empty() {
            p { (page.t("wallet-empty")) }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { (page.t("wallet-date")) }
                        th scope="col" { (page.t("wallet-kind")) }
                        th scope="col" { (page.t("wallet-memo")) }
                        th scope="col" class="num" { (page.t("wallet-amount")) }
                    } }
                    tbody {
                        @for entry in &ledger.items {
                            tr {
                                td { time datetime=(format::machine(entry.at)) { (format::day_and_time(page.language(), page.tz, entry.at)) } }
                                td { (ledger_kind(&page, entry.kind)) }
                                td { (ledger_words(&page, entry)) }
                                td class="num" { (format::money(page.language(), entry.amount)) }
                            }
                        }
                    }
                }
            }
            (pager(&page, "/account/wallet", &q, ledger.total))
        }
    };
    respond(&page, StatusCode::OK, "wallet-title", body)
}

async fn export(State(state): State<AppState>, page: Page) -> Response {
    let (customer, identity) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    match crate::routes::profile::export(State(state), CustomerPrincipal(customer), identity).await {
        Ok(export) => export.into_response(),
        Err(error) => errors::page_for(&page, Area::Site, &error),
    }
}

fn delete_form(page: &Page) -> Markup {
    html! {
        p { (page.t("delete-explain")) }
        form method="post" action="/account/delete" {
            (layout::csrf_field(page))
            div class="field" {
                label for="password" { (page.t("field-password")) }
                input type="password" id="password" name="password" autocomplete="current-password" required;
            }
            div class="field" {
                input type="checkbox" id="confirm" name="confirm" required;
                label for="confirm" style="display:inline;margin-left:.4rem" { (page.t("delete-confirm")) }
            }
            div class="actions" {
                button type="submit" class="danger" { (page.t("delete-submit")) }
                a href="/account" { (page.t("delete-keep")) }
            }
        }
    }
}

async fn delete_page(page: Page) -> Response {
    if let Err(response) = signed_in(&page) {
        return *response;
    }
    respond(&page, StatusCode::OK, "delete-title", delete_form(&page))
}

async fn delete(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    let (customer, identity) = match signed_in(&page) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let form = FormData(form);
    let input = Deletion { password: form.raw("password").to_owned(), confirm: form.checked("confirm") };
    match crate::routes::profile::delete_account(State(state), CustomerPrincipal(customer), identity, Json(input)).await
    {
        Ok(api_response) => {
            let mut response = Redirect::to("/?notice=deleted").into_response();
            for cookie in api_response.headers().get_all(header::SET_COOKIE) {
                response.headers_mut().append(header::SET_COOKIE, cookie.clone());
            }
            response
        }
        Err(error) => {
            let body = html! { (errors::notice(&page, &error)) (delete_form(&page)) };
            respond(&page, error.status(), "delete-title", body)
        }
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{Currency, Language, Money, Timestamp};

    use super::*;

    fn entry(kind: LedgerKind, reference: &str, memo: &str) -> LedgerEntry {
        LedgerEntry {
            customer_id: CustomerId::new(),
            amount: Money::new(-1250, Currency::EUR),
            kind,
            reference: reference.to_owned(),
            memo: memo.to_owned(),
            at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn wallet_movements_are_told_in_the_pages_language() {
        let fr = Page::for_tests(Language::Fr);
        let en = Page::for_tests(Language::En);
        let payment = entry(LedgerKind::Payment, "payment:01", "2 ticket(s), showtime 01");
        assert_eq!(ledger_words(&fr, &payment), "2 billets");
        assert_eq!(ledger_words(&en, &payment), "2 tickets");
        assert_eq!(
            ledger_words(&fr, &entry(LedgerKind::Refund, "refund:01", "refund of payment 01")),
            "Remboursement d’une réservation annulée"
        );
        assert_eq!(
            ledger_words(&fr, &entry(LedgerKind::Credit, "credit:start:01", "Starting credit")),
            "Crédit de bienvenue"
        );
        assert_eq!(
            ledger_words(&fr, &entry(LedgerKind::Credit, "terminal:01", "card terminal approval X")),
            "Payé par carte au guichet"
        );
        assert_eq!(
            ledger_words(&fr, &entry(LedgerKind::Adjustment, "adjust:01", "Geste commercial")),
            "Geste commercial"
        );
    }
}
