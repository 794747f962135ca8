//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` attributes and
//! the model types' `ToSchema` derives, built once per process.
//!
//! A new endpoint is documented by adding its handler to `paths(...)` below.

use std::sync::OnceLock;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    auditoriums, auth, bookings, box_office, customer_admin, customer_import, customers, films, health, profile,
    reviews, showtimes, staff, two_factor,
};

/// An error body (RFC 9457 problem JSON); extension members vary by `code`.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = Problem)]
#[allow(dead_code)] // schema only: errors are built by `crate::error::Problem`.
pub struct ProblemDoc {
    /// URI reference of the problem type: `/api/docs#problem-<code>`.
    #[schema(example = "/api/docs#problem-showtime_overlap")]
    r#type: String,
    /// Short summary of the kind of problem.
    #[schema(example = "Showtime overlap")]
    title: String,
    /// The HTTP status.
    #[schema(example = 409)]
    status: u16,
    /// What went wrong this time.
    detail: String,
    /// Stable machine code.
    #[schema(example = "showtime_overlap")]
    code: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "boxoffice API",
        description = "Cinema booking platform: catalog, showtimes, customers and bookings. \
            Errors are RFC 9457 problem JSON with a stable `code`. Mutating requests accept an `Idempotency-Key`.",
    ),
    paths(
        health::healthz, health::readyz, health::metrics,
        films::list_films, films::create_film, films::get_film, films::update_film, films::delete_film,
        auditoriums::list_auditoriums, auditoriums::create_auditorium, auditoriums::get_auditorium,
        auditoriums::update_auditorium, auditoriums::delete_auditorium,
        showtimes::list_showtimes, showtimes::create_showtime, showtimes::get_showtime, showtimes::patch_showtime,
        showtimes::cancel_showtime, showtimes::delete_showtime,
        customers::create_customer, customers::me, customers::my_wallet, customers::my_bookings,
        bookings::seat_map, bookings::block_seats, bookings::create_hold, bookings::current_hold, bookings::release_hold,
        bookings::purchase, bookings::get_booking, bookings::cancel_booking,
        auth::login, auth::logout, auth::logout_all, auth::session, auth::verify_email, auth::resend_verification,
        auth::request_reset, auth::confirm_reset,
        profile::get_profile, profile::update_profile, profile::change_email, profile::change_password,
        profile::delete_account, profile::export,
        two_factor::begin, two_factor::confirm, two_factor::disable, two_factor::new_codes,
        staff::create_staff, staff::list_staff, staff::get_staff, staff::patch_staff, staff::create_kiosk,
        staff::list_kiosks, staff::revoke_kiosk,
        customer_admin::get_customer, customer_admin::customer_bookings, customer_admin::customer_wallet,
        customer_admin::adjust_wallet, customer_admin::verify_by_hand, customer_admin::audit_log,
        customer_import::import_customers,
        box_office::hold, box_office::sell_hold, box_office::sell_now, box_office::release, box_office::ticket,
        box_office::print_ticket,
        reviews::list_reviews, reviews::create_review, reviews::hide_review, reviews::unhide_review,
    ),
    components(schemas(ProblemDoc, boxoffice_storage::BookingWhen, boxoffice_storage::AccountId, boxoffice_storage::ReviewId, boxoffice_storage::Timestamp)),
    modifiers(&BearerAuth),
    tags(
        (name = "films", description = "The film catalog"),
        (name = "auditoriums", description = "Screens and seat layouts"),
        (name = "showtimes", description = "Screenings: scheduling, rescheduling, cancelling"),
        (name = "customers", description = "Customer accounts, wallets and their bookings"),
        (name = "auth", description = "Login, logout, sessions, email verification, password reset"),
        (name = "account", description = "The signed-in account: profile, password, 2FA, deletion, export"),
        (name = "staff", description = "Staff accounts, kiosk devices, the audit log (admins)"),
        (name = "box office", description = "Walk-in sales at the counter and tickets"),
        (name = "booking", description = "Seat maps, holds, purchases and booking cancellation"),
        (name = "reviews", description = "Customers' ratings and comments on films they saw"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
)]
pub struct ApiDoc;

/// The document, built on first use.
#[must_use]
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// The document as JSON, built on first use.
#[must_use]
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| serde_json::to_string_pretty(document()).unwrap_or_else(|_| "{}".to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.push(r);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(super::document()).expect("json");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").expect("schema ref");
            assert!(doc["components"]["schemas"][name].is_object(), "{r} does not resolve");
        }
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
