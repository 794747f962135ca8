//! Changing a staff account in the console: its role (`/admin/staff/{id}`) and reactivating
//! a deactivated one. Both are edits that can be undone, so they need no confirmation step
//! (deactivation keeps its own, in [`super::people`]). Each goes through `PATCH
//! /api/v1/staff/{id}` in-process, so it is checked and audited like an API call.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_storage::Account;
use maud::{Markup, html};
use serde_json::{Value, json};

use super::guard;
use super::people::{STAFF_ROLES, load};
use super::widgets::respond;
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::forms::FormData;
use crate::web::i18n::Arg;
use crate::web::layout::{self, Tone};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/staff/{id}", get(edit_form).post(change_role))
        .route("/admin/staff/{id}/reactivate", post(reactivate))
}

/// The edit page: the role form, and the way back in or out (reactivate, or deactivate).
fn edit_body(page: &Page, account: &Account, notice: Option<Markup>) -> Markup {
    let id = account.id;
    html! {
        @if let Some(notice) = notice { (notice) }
        p { (account.email.as_deref().unwrap_or("")) " · " @if account.active { (page.t("admin-active")) } @else { (page.t("admin-inactive")) } }
        form method="post" action=(format!("/admin/staff/{id}")) {
            (layout::csrf_field(page))
            div class="field" {
                label for="role" { (page.t("admin-role")) }
                select id="role" name="role" {
                    @for role in STAFF_ROLES {
                        option value=(role.as_str()) selected[account.role == role] { (page.t(&format!("admin-role-{}", role.as_str()))) }
                    }
                }
            }
            div class="actions" { button type="submit" { (page.t("admin-save")) } }
        }
        @if account.active {
            p { a href=(format!("/admin/staff/{id}/deactivate")) { (page.t("admin-deactivate")) } }
        } @else {
            form method="post" action=(format!("/admin/staff/{id}/reactivate")) {
                (layout::csrf_field(page))
                div class="actions" { button type="submit" { (page.t("admin-reactivate")) } }
            }
        }
        p { a href="/admin/staff" { (page.t("admin-staff-back")) } }
    }
}

fn edit_page(page: &Page, status: StatusCode, account: &Account, notice: Option<Markup>) -> Response {
    let name = format!("{} {}", account.first_name, account.last_name);
    let title = page.tr.with("admin-staff-edit-title", &[("name", Arg::Text(&name))]);
    respond(page, status, &title, edit_body(page, account, notice))
}

async fn edit_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageStaff) {
        return *response;
    }
    match load(&state, &page, &raw, &STAFF_ROLES).await {
        Ok(account) => edit_page(&page, StatusCode::OK, &account, None),
        Err(response) => response,
    }
}

/// Sends `patch` for the account; back to the list when saved, else the edit page says why.
async fn apply(state: &AppState, page: &Page, raw: &str, patch: Value) -> Response {
    if let Err(response) = guard::require(page, Permission::ManageStaff) {
        return *response;
    }
    let account = match load(state, page, raw, &STAFF_ROLES).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    match super::api::call(state, page, Method::PATCH, &format!("/staff/{}", account.id), Some(patch)).await {
        Ok(_) => Redirect::to("/admin/staff?notice=saved").into_response(),
        Err(failure) => {
            let notice = layout::notice(Tone::Error, &failure.message(page));
            edit_page(page, failure.status, &account, Some(notice))
        }
    }
}

async fn change_role(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData(form);
    apply(&state, &page, &raw, json!({"role": form.get("role")})).await
}

async fn reactivate(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    apply(&state, &page, &raw, json!({"active": true})).await
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{AccountId, Language, Role, Timestamp};

    use super::*;

    fn account(active: bool) -> Account {
        let now = Timestamp::from_millis(0);
        Account {
            id: AccountId::new(),
            role: Role::Cashier,
            email: Some("cash@example.com".into()),
            email_verified_at: Some(now),
            pending_email: None,
            username: "cash".into(),
            first_name: "Cat".into(),
            last_name: "Cash".into(),
            phone: None,
            birth_date: None,
            language: Language::En,
            password_hash: None,
            totp: None,
            active,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn an_inactive_member_is_offered_reactivation_and_an_active_one_deactivation() {
        let page = Page::for_tests(Language::Fr);
        let inactive = edit_body(&page, &account(false), None).into_string();
        assert!(inactive.contains("/reactivate") && !inactive.contains("/deactivate"), "{inactive}");
        let active = edit_body(&page, &account(true), None).into_string();
        assert!(active.contains("/deactivate") && !active.contains("/reactivate"), "{active}");
        assert!(active.contains("value=\"cashier\" selected"), "{active}");
    }
}
