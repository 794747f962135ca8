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

pub mod api;
pub mod dashboard;
pub mod guard;
pub mod nav;

use axum::Router;

use crate::state::AppState;

/// The console's routes.
pub fn router(_state: &AppState) -> Router<AppState> {
    Router::new().merge(dashboard::router())
}
