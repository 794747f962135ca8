//! Customers, staff accounts and the audit log in the console: customer search with their
//! balance, bookings and a wallet top-up; the staff list, a form to add a staff member and
//! deactivation behind a confirmation (role changes and reactivation: [`super::staff_edit`]); the audit log, newest first.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::{Account, AccountId, AuditFilter, BookingWhen, Money, PageRequest, Role};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::guard;
use super::showtimes::parse_price;
use super::widgets::{self, input};
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area, Tone};

/// Accounts looked through by a search.
const SEARCH_ACCOUNTS_MAX: u32 = 5000;
/// Rows per page of the audit log.
const AUDIT_PAGE: u32 = 100;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/customers", get(customers))
        .route("/admin/customers/{id}", get(customer).post(top_up))
        .route("/admin/staff", get(staff).post(create_staff))
        .route("/admin/staff/{id}/deactivate", get(deactivate_form).post(deactivate))
        .route("/admin/audit", get(audit))
}

use super::widgets::respond;

/// `?q=&page=&notice=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: String,
    notice: String,
}

async fn accounts_with(state: &AppState, roles: &[Role]) -> Result<Vec<Account>, crate::error::ApiError> {
    let mut all = Vec::new();
    loop {
        let offset = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let got = state.accounts.list_accounts(roles, PageRequest { offset, limit: 200 }).await?;
        let done = got.items.len() < 200 || offset + 200 >= SEARCH_ACCOUNTS_MAX;
        all.extend(got.items);
        if done {
            return Ok(all);
        }
    }
}

fn matches(account: &Account, q: &str) -> bool {
    let q = q.to_lowercase();
    [account.email.as_deref().unwrap_or(""), &account.username, &account.first_name, &account.last_name]
        .iter()
        .any(|field| field.to_lowercase().contains(&q))
}

async fn customers(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ReadCustomers) {
        return *response;
    }
    let found = match accounts_with(&state, &[Role::Customer]).await {
        Ok(all) => all
            .into_iter()
            .filter(|a| a.active && (q.q.trim().is_empty() || matches(a, q.q.trim())))
            .take(100)
            .collect::<Vec<_>>(),
        Err(error) => return errors::page_for(&page, Area::Admin, &error),
    };
    let body = html! {
        form method="get" action="/admin/customers" role="search" class="filters" {
            div class="field" {
                label for="q" { (page.t("admin-customer-search")) }
                input type="search" id="q" name="q" value=(q.q) maxlength="100";
            }
            div class="field" { button type="submit" { (page.t("admin-search")) } }
        }
        div class="table-wrap" { table {
            thead { tr { th scope="col" { (page.t("admin-name")) } th scope="col" { (page.t("field-email")) } th scope="col" { (page.t("admin-verified")) } } }
            tbody {
                @for a in &found {
                    tr {
                        td { a href=(format!("/admin/customers/{}", a.id)) { (a.first_name) " " (a.last_name) } }
                        td { (a.email.as_deref().unwrap_or("")) }
                        td { (page.t(if a.email_verified() { "admin-yes" } else { "admin-no" })) }
                    }
                }
            }
        } }
    };
    respond(&page, StatusCode::OK, &page.t("admin-customers-title"), body)
}

async fn customer_body(
    state: &AppState,
    page: &Page,
    account: &Account,
    notice: Option<Markup>,
    typed: &FormData,
) -> Result<Markup, crate::error::ApiError> {
    let customer = account.customer_id().ok_or_else(|| crate::error::ApiError::not_found("customer", account.id))?;
    let balance = state.storage.wallet_balance(customer, state.currency()).await?;
    let history = state
        .accounts
        .booking_history(customer, BookingWhen::All, state.clock.now(), PageRequest { offset: 0, limit: 50 })
        .await?;
    let may_top_up = page.identity.is_some_and(|i| i.principal.allows(Permission::ManageWallets));
    Ok(html! {
        @if let Some(notice) = notice { (notice) }
        dl class="facts" {
            dt { (page.t("field-email")) } dd { (account.email.as_deref().unwrap_or("")) }
            dt { (page.t("field-username")) } dd { (account.username) }
            dt { (page.t("nav-wallet")) } dd { (format::money(page.language(), balance)) }
        }
        @if may_top_up {
            h2 { (page.t("admin-top-up")) }
            form method="post" action=(format!("/admin/customers/{}", account.id)) {
                (layout::csrf_field(page))
                (input(page, "amount", "admin-top-up-amount", "text", typed.get("amount"), true))
                (input(page, "reason", "admin-top-up-reason", "text", typed.get("reason"), true))
                div class="actions" { button type="submit" { (page.t("admin-top-up")) } }
            }
        }
        h2 { (page.t("admin-customer-bookings")) }
        div class="table-wrap" { table {
            thead { tr { th scope="col" { (page.t("ticket-reference")) } th scope="col" { (page.t("bookings-film")) } th scope="col" { (page.t("bookings-when")) } th scope="col" class="num" { (page.t("ticket-total")) } th scope="col" { (page.t("bookings-status")) } } }
            tbody {
                @for item in &history.items {
                    tr {
                        td { a href=(format!("/bookings/{}", item.booking.record.id)) { (item.booking.record.reference) } }
                        td { (item.film_title.as_deref().unwrap_or("")) }
                        td { @if let Some(at) = item.starts_at { (format::day_and_time(page.language(), page.tz, at)) } }
                        td class="num" { (format::money(page.language(), item.booking.record.total)) }
                        td { (page.t(if item.booking.status == boxoffice_storage::BookingStatus::Cancelled { "bookings-cancelled" } else { "bookings-confirmed" })) }
                    }
                }
            }
        } }
    })
}

/// The account `raw` names when it has one of `roles`; otherwise the 404 (or error) page.
pub(super) async fn load(state: &AppState, page: &Page, raw: &str, roles: &[Role]) -> Result<Account, Response> {
    let Ok(id) = raw.parse::<AccountId>() else { return Err(errors::not_found(page, Area::Admin)) };
    match state.accounts.account(id).await {
        Ok(Some(account)) if roles.contains(&account.role) => Ok(account),
        Ok(_) => Err(errors::not_found(page, Area::Admin)),
        Err(error) => Err(errors::page_for(page, Area::Admin, &error.into())),
    }
}

async fn customer(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::ReadCustomers) {
        return *response;
    }
    let account = match load(&state, &page, &raw, &[Role::Customer]).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let title = format!("{} {}", account.first_name, account.last_name);
    match customer_body(&state, &page, &account, widgets::saved_notice(&page, &q.notice), &FormData::default()).await {
        Ok(body) => respond(&page, StatusCode::OK, &title, body),
        Err(error) => errors::page_for(&page, Area::Admin, &error),
    }
}

async fn top_up(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageWallets) {
        return *response;
    }
    let account = match load(&state, &page, &raw, &[Role::Customer]).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = FormData(form);
    let max = crate::routes::customer_admin::ADJUSTMENT_MINOR_MAX;
    let outcome = match parse_price(form.get("amount")) {
        Some(minor) if minor > max => {
            let most = format::money(page.language(), Money::new(max, state.config.wallet.currency));
            Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                page.tr.with("admin-top-up-too-large", &[("max", Arg::Text(&most))]),
            ))
        }
        Some(minor) if minor > 0 => {
            let body = json!({"amount_minor": minor, "reason": form.get("reason"), "kind": "top_up"});
            super::api::call(
                &state,
                &page,
                Method::POST,
                &format!("/customers/{}/wallet/adjustments", account.id),
                Some(body),
            )
            .await
            .map_err(|f| (f.status, f.message(&page)))
        }
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, page.t("admin-bad-amount"))),
    };
    let title = format!("{} {}", account.first_name, account.last_name);
    match outcome {
        Ok(_) => Redirect::to(&format!("/admin/customers/{}?notice=saved", account.id)).into_response(),
        Err((status, message)) => {
            let notice = Some(layout::notice(Tone::Error, &message));
            match customer_body(&state, &page, &account, notice, &form).await {
                Ok(body) => respond(&page, status, &title, body),
                Err(error) => errors::page_for(&page, Area::Admin, &error),
            }
        }
    }
}

/// The roles of staff accounts, in the order the role menus list them.
pub(super) const STAFF_ROLES: [Role; 3] = [Role::Admin, Role::Manager, Role::Cashier];

fn staff_form(page: &Page, form: &FormData) -> Markup {
    html! {
        h2 { (page.t("admin-staff-new")) }
        form method="post" action="/admin/staff" {
            (layout::csrf_field(page))
            (input(page, "email", "field-email", "email", form.get("email"), true))
            (input(page, "username", "field-username", "text", form.get("username"), true))
            (input(page, "first_name", "field-first-name", "text", form.get("first_name"), true))
            (input(page, "last_name", "field-last-name", "text", form.get("last_name"), true))
            div class="field" {
                label for="role" { (page.t("admin-role")) }
                select id="role" name="role" {
                    @for role in STAFF_ROLES { option value=(role.as_str()) selected[form.get("role") == role.as_str()] { (page.t(&format!("admin-role-{}", role.as_str()))) } }
                }
            }
            (input(page, "password", "field-password", "password", "", true))
            div class="actions" { button type="submit" { (page.t("admin-save")) } }
        }
    }
}

async fn staff_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    notice: Option<Markup>,
    form: &FormData,
) -> Response {
    let all = match accounts_with(state, &STAFF_ROLES).await {
        Ok(all) => all,
        Err(error) => return errors::page_for(page, Area::Admin, &error),
    };
    let body = html! {
        @if let Some(notice) = notice { (notice) }
        div class="table-wrap" { table {
            thead { tr { th scope="col" { (page.t("admin-name")) } th scope="col" { (page.t("field-email")) } th scope="col" { (page.t("admin-role")) } th scope="col" { span class="sr-only" { (page.t("admin-actions")) } } } }
            tbody {
                @for a in &all {
                    tr {
                        td { a href=(format!("/admin/staff/{}", a.id)) { (a.first_name) " " (a.last_name) } }
                        td { (a.email.as_deref().unwrap_or("")) }
                        td { (page.t(&format!("admin-role-{}", a.role.as_str()))) }
                        td {
                            a href=(format!("/admin/staff/{}", a.id)) { (page.t("admin-edit")) }
                            " · "
                            @if a.active {
                                a href=(format!("/admin/staff/{}/deactivate", a.id)) { (page.t("admin-deactivate")) }
                            } @else {
                                (page.t("admin-inactive")) " "
                                form class="inline" method="post" action=(format!("/admin/staff/{}/reactivate", a.id)) {
                                    (layout::csrf_field(page))
                                    button type="submit" { (page.t("admin-reactivate")) }
                                }
                            }
                        }
                    }
                }
            }
        } }
        (staff_form(page, form))
    };
    respond(page, status, &page.t("admin-staff-title"), body)
}

async fn staff(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageStaff) {
        return *response;
    }
    staff_page(&state, &page, StatusCode::OK, widgets::saved_notice(&page, &q.notice), &FormData::default()).await
}

async fn create_staff(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageStaff) {
        return *response;
    }
    let form = FormData(form);
    let body = json!({"email": form.get("email"), "username": form.get("username"), "first_name": form.get("first_name"),
        "last_name": form.get("last_name"), "role": form.get("role"), "password": form.raw("password")});
    match super::api::call(&state, &page, Method::POST, "/staff", Some(body)).await {
        Ok(_) => Redirect::to("/admin/staff?notice=saved").into_response(),
        Err(failure) => {
            staff_page(&state, &page, failure.status, Some(layout::notice(Tone::Error, &failure.message(&page))), &form)
                .await
        }
    }
}

async fn deactivate_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageStaff) {
        return *response;
    }
    match load(&state, &page, &raw, &STAFF_ROLES).await {
        Ok(account) => {
            let name = format!("{} {}", account.first_name, account.last_name);
            let question = page.tr.with("admin-deactivate-question", &[("name", Arg::Text(&name))]);
            let body = widgets::confirm(
                &page,
                &question,
                &format!("/admin/staff/{}/deactivate", account.id),
                "admin-deactivate",
                "/admin/staff",
                None,
            );
            respond(&page, StatusCode::OK, &page.t("admin-deactivate"), body)
        }
        Err(response) => response,
    }
}

async fn deactivate(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageStaff) {
        return *response;
    }
    let account = match load(&state, &page, &raw, &STAFF_ROLES).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    match super::api::call(
        &state,
        &page,
        Method::PATCH,
        &format!("/staff/{}", account.id),
        Some(json!({"active": false})),
    )
    .await
    {
        Ok(_) => Redirect::to("/admin/staff?notice=saved").into_response(),
        Err(failure) => {
            layout::message_page(&page, Area::Admin, failure.status, &page.t("error-title"), &failure.message(&page))
        }
    }
}

async fn audit(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ReadAudit) {
        return *response;
    }
    let number = q.page.parse::<u32>().unwrap_or(1).clamp(1, 10_000);
    let request = PageRequest { offset: (number - 1) * AUDIT_PAGE, limit: AUDIT_PAGE };
    let entries = match state.accounts.audit_log(&AuditFilter::default(), request).await {
        Ok(entries) => entries,
        Err(error) => return errors::page_for(&page, Area::Admin, &error.into()),
    };
    let more = u64::from(request.offset + AUDIT_PAGE) < entries.total;
    let body = html! {
        div class="table-wrap" { table {
            thead { tr { th scope="col" { (page.t("wallet-date")) } th scope="col" { (page.t("admin-who")) } th scope="col" { (page.t("admin-action")) } th scope="col" { (page.t("admin-entity")) } } }
            tbody {
                @for e in &entries.items {
                    tr {
                        td { time datetime=(format::machine(e.at)) { (format::day_and_time(page.language(), page.tz, e.at)) } }
                        td { (e.actor_label) " (" (page.t(&format!("admin-role-{}", e.actor_role.as_str()))) ")" }
                        td { code { (e.action) } }
                        td { (e.entity) " " (e.entity_id.as_deref().unwrap_or("")) }
                    }
                }
            }
        } }
        nav class="actions" aria-label=(page.t("pager-label")) {
            @if number > 1 { a href=(format!("/admin/audit?page={}", number - 1)) { (page.t("pager-previous")) } }
            @if more { a href=(format!("/admin/audit?page={}", number + 1)) { (page.t("pager-next")) } }
        }
    };
    respond(&page, StatusCode::OK, &page.t("admin-audit-title"), body)
}
