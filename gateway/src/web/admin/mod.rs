//! The staff console (`/admin`): sign-in is the site's (`/login`); every page checks a
//! permission of the staff role, never a role directly.
//!
//! Reads go to storage and the engine directly. Changes go through the JSON API in-process
//! ([`api`]), with the staff member's own session and CSRF token, so validation, the audit
//! log and idempotency are exactly the API's.
//!
//! | module | pages |
//! | --- | --- |
//! | [`nav`] | the console's navigation |
//! | [`guard`] | who may open a page |
//! | [`api`] | calling the API in-process and reading its answer |
//! | [`dashboard`] | today's showtimes with occupancy bars |
//! | [`films`], [`auditoriums`], [`showtimes`] | the catalog: films, rooms with the layout editor, the week of showtimes |
//! | [`prices`] | price tiers across every upcoming showtime: add, set, remove |
//! | [`box_office`] | selling to walk-in customers on the live seat map |
//! | [`people`] | customers (search, wallet top-up, bookings), staff accounts, the audit log |
//! | [`staff_edit`] | a staff member's role, reactivation |
//! | [`widgets`] | form pieces the pages share |

pub mod api;
pub mod auditoriums;
pub mod box_office;
pub mod dashboard;
pub mod films;
pub mod guard;
pub mod nav;
pub mod people;
pub mod prices;
pub mod showtimes;
pub mod staff_edit;
pub mod widgets;

use axum::Router;

use crate::state::AppState;

/// The console's routes.
pub fn router(_state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(dashboard::router())
        .merge(films::router())
        .merge(auditoriums::router())
        .merge(showtimes::router())
        .merge(prices::router())
        .merge(box_office::router())
        .merge(people::router())
        .merge(staff_edit::router())
}
