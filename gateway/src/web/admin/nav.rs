//! The console's navigation: only the pages the staff member's role may open.

use maud::{Markup, html};

use crate::auth::Permission;
use crate::web::context::Page;
use crate::web::layout::logout_button;

/// The console's pages: `(path, message id, permission)`.
pub const PAGES: &[(&str, &str, Permission)] = &[
    ("/admin", "admin-nav-dashboard", Permission::ReadBookings),
    ("/admin/films", "admin-nav-films", Permission::ManageCatalog),
    ("/admin/auditoriums", "admin-nav-auditoriums", Permission::ManageCatalog),
    ("/admin/showtimes", "admin-nav-showtimes", Permission::ManageCatalog),
    ("/admin/prices", "admin-nav-prices", Permission::ManageCatalog),
    ("/admin/box-office", "admin-nav-box-office", Permission::BoxOffice),
    ("/admin/customers", "admin-nav-customers", Permission::ReadCustomers),
    ("/admin/staff", "admin-nav-staff", Permission::ManageStaff),
    ("/admin/audit", "admin-nav-audit", Permission::ReadAudit),
];

/// The navigation items of the page's staff member.
#[must_use]
pub fn links(page: &Page) -> Markup {
    let principal = page.identity.map(|i| i.principal);
    html! {
        @for (path, id, permission) in PAGES {
            @if principal.is_some_and(|p| p.allows(*permission)) {
                li { a href=(path) aria-current=[(page.path == *path).then_some("page")] { (page.t(id)) } }
            }
        }
        li { a href="/" { (page.t("admin-nav-site")) } }
        @if page.identity.is_some() {
            li { (logout_button(page)) }
        } @else {
            li { a href="/login?next=/admin" { (page.t("nav-login")) } }
        }
    }
}
