//! Who may open a console page: a signed-in staff member whose role has the permission.
//! Anyone else is sent to sign in (not signed in) or shown 403 (signed in without it).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::{Permission, Principal};
use crate::web::context::Page;
use crate::web::forms::to_login;
use crate::web::layout::{self, Area};

/// The staff principal of the page if it has `permission`, or the response to send instead.
///
/// # Errors
/// The sign-in redirect, or a 403 page.
pub fn require(page: &Page, permission: Permission) -> Result<Principal, Box<Response>> {
    let Some(identity) = page.identity else { return Err(Box::new(to_login(&page.path).into_response())) };
    let principal = identity.principal;
    if matches!(principal, Principal::Staff { .. }) && principal.allows(permission) {
        Ok(principal)
    } else if page.staff_role().is_none() && page.customer().is_some() {
        Err(Box::new(layout::message_page(
            page,
            Area::Site,
            StatusCode::FORBIDDEN,
            &page.t("forbidden-title"),
            &page.t("admin-staff-only"),
        )))
    } else {
        Err(Box::new(layout::message_page(
            page,
            Area::Admin,
            StatusCode::FORBIDDEN,
            &page.t("forbidden-title"),
            &page.t("admin-not-allowed"),
        )))
    }
}
