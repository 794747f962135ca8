//! A booking as a ticket (the confirmation page after a purchase, printable, with its
//! reference and a QR code of it), and its cancellation behind a confirmation step.
//! Customers see their own bookings; staff who may read bookings see any (the box office
//! prints walk-in tickets from here).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_engine::Requester;
use boxoffice_storage::{Booking, BookingId, BookingStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::context::Page;
use super::errors;
use super::format;
use super::forms::to_login;
use super::i18n::Arg;
use super::layout::{self, Area, Tone};
use super::seats::{ShowtimeInfo, tier_name};
use crate::auth::{Permission, Principal};
use crate::error::ApiError;
use crate::state::AppState;

/// The booking routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/{id}", get(ticket_page))
        .route("/bookings/{id}/cancel", get(cancel_page).post(cancel))
}

/// `?new=1` right after the purchase.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TicketQuery {
    new: String,
}

/// The area a booking page is drawn in: the console for staff, the site for customers.
fn area_of(page: &Page) -> Area {
    if page.staff_role().is_some() { Area::Admin } else { Area::Site }
}

/// Loads a booking the visitor may see.
async fn visible(state: &AppState, page: &Page, id: BookingId) -> Result<Booking, ApiError> {
    let booking = state.storage.booking(id).await?;
    let principal = page.identity.map(|i| i.principal);
    match (booking, principal) {
        (Some(b), Some(p)) if p.allows(Permission::ReadBookings) || p.owner() == Some(b.record.customer_id) => Ok(b),
        _ => Err(boxoffice_engine::EngineError::BookingNotFound.into()),
    }
}

async fn ticket_page(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Response {
    let Ok(id) = raw.parse::<BookingId>() else { return errors::not_found(&page, area_of(&page)) };
    if page.identity.is_none() {
        return to_login(&format!("/bookings/{id}")).into_response();
    }
    let loaded = async {
        let booking = visible(&state, &page, id).await?;
        let info = ShowtimeInfo::load(&state, booking.record.showtime_id).await?;
        Ok::<_, ApiError>((booking, info))
    };
    let (booking, info) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return errors::page_for(&page, area_of(&page), &error),
    };
    let cancellable = cancellable(&state, &page, &booking, &info);
    let body = html! {
        @if q.new == "1" {
            @let thanks = if area_of(&page) == Area::Site { "ticket-thanks" } else { "ticket-sold" };
            (layout::notice(Tone::Success, &page.t(thanks)))
        }
        @if booking.status == BookingStatus::Cancelled { (layout::notice(Tone::Info, &page.t("ticket-cancelled"))) }
        (ticket(&page, &booking, &info))
        div class="actions no-print" {
            @if cancellable {
                a class="button secondary" href=(format!("/bookings/{id}/cancel")) { (page.t("ticket-cancel")) }
            }
            @if area_of(&page) == Area::Site {
                a href="/account/bookings" { (page.t("nav-bookings")) }
            } @else {
                a href="/admin/box-office" { (page.t("admin-nav-box-office")) }
            }
        }
    };
    layout::respond(StatusCode::OK, layout::shell(&page, area_of(&page), &page.t("ticket-title"), body))
}

/// Whether the visitor may still cancel: confirmed, and before the customers' cut-off (or
/// before the start, for staff who may refund).
/// A visitor who may not cancel it (a cashier: no `Refund`, not the owner) is not offered it.
fn cancellable(state: &AppState, page: &Page, booking: &Booking, info: &ShowtimeInfo) -> bool {
    let now = state.clock.now();
    let starts = info.showtime.details.starts_at;
    let staff = refunds_for_others(page);
    let owner = page.identity.and_then(|i| i.principal.owner()) == Some(booking.record.customer_id);
    let cutoff = i64::try_from(state.config.engine.cancellation_cutoff_ms).unwrap_or(i64::MAX);
    booking.status == BookingStatus::Confirmed
        && if staff { now < starts } else { owner && now < starts.minus_millis(cutoff) }
}

/// Whether the visitor is staff who may cancel and refund anyone's booking.
fn refunds_for_others(page: &Page) -> bool {
    page.identity.is_some_and(|i| i.principal.allows(Permission::Refund))
}

/// The ticket: reference, QR code, film, time, auditorium, seats with tiers, total.
#[must_use]
pub fn ticket(page: &Page, booking: &Booking, info: &ShowtimeInfo) -> Markup {
    let r = &booking.record;
    let qr = crate::qr::svg(&r.reference).ok();
    html! {
        article class="ticket" aria-labelledby="ticket-heading" {
            h1 id="ticket-heading" { (page.t("ticket-title")) }
            p { (page.t("ticket-reference")) " " span class="reference" { (r.reference) } }
            @if let Some(svg) = qr {
                div class="qr" role="img" aria-label=(page.tr.with("ticket-qr", &[("reference", Arg::Text(&r.reference))])) {
                    (layout::trusted(svg))
                }
            }
            (info.heading(page))
            table {
                caption class="meta" { (page.t("ticket-lines")) }
                thead { tr { th scope="col" { (page.t("ticket-seat")) } th scope="col" { (page.t("ticket-tier")) } th scope="col" class="num" { (page.t("ticket-price")) } } }
                tbody {
                    @for line in &r.lines {
                        tr { td { (line.label) } td { (tier_name(page, &line.tier)) } td class="num" { (format::money(page.language(), line.price)) } }
                    }
                }
                tfoot { tr { th scope="row" colspan="2" { (page.t("ticket-total")) } td class="num" { strong { (format::money(page.language(), r.total)) } } } }
            }
            p class="meta" { (page.tr.with("ticket-bought", &[("when", Arg::Text(&format::day_and_time(page.language(), page.tz, r.created_at)))])) }
        }
    }
}

async fn cancel_page(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    let Ok(id) = raw.parse::<BookingId>() else { return errors::not_found(&page, area_of(&page)) };
    if page.identity.is_none() {
        return to_login(&format!("/bookings/{id}/cancel")).into_response();
    }
    let loaded = async {
        let booking = visible(&state, &page, id).await?;
        let info = ShowtimeInfo::load(&state, booking.record.showtime_id).await?;
        Ok::<_, ApiError>((booking, info))
    };
    let (booking, info) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return errors::page_for(&page, area_of(&page), &error),
    };
    let refund = format::money(page.language(), booking.record.total);
    let body = html! {
        h1 { (page.t("cancel-title")) }
        p { (info.title(&page)) " · " span class="reference" { (booking.record.reference) } }
        @if cancellable(&state, &page, &booking, &info) {
            @let question = if refunds_for_others(&page) { "cancel-question-staff" } else { "cancel-question" };
            p { (page.tr.with(question, &[("amount", Arg::Text(&refund))])) }
            form method="post" action=(format!("/bookings/{id}/cancel")) {
                (layout::csrf_field(&page))
                div class="actions" {
                    button type="submit" class="danger" { (page.t("cancel-confirm")) }
                    a href=(format!("/bookings/{id}")) { (page.t("cancel-keep")) }
                }
            }
        } @else if booking.status == BookingStatus::Cancelled {
            (layout::notice(Tone::Info, &page.t("error-already-cancelled")))
        } @else {
            (layout::notice(Tone::Error, &page.t("error-cancellation-closed")))
        }
    };
    layout::respond(StatusCode::OK, layout::shell(&page, area_of(&page), &page.t("cancel-title"), body))
}

async fn cancel(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    let Ok(id) = raw.parse::<BookingId>() else { return errors::not_found(&page, area_of(&page)) };
    let Some(principal) = page.identity.map(|i| i.principal) else {
        return to_login(&format!("/bookings/{id}/cancel")).into_response();
    };
    let requester = match principal {
        p if p.allows(Permission::Refund) => Requester::Staff,
        Principal::Customer(customer) => Requester::Customer(customer),
        _ => {
            return errors::page_for(
                &page,
                area_of(&page),
                &ApiError::forbidden("the cashier role may not cancel bookings"),
            );
        }
    };
    match state.engine.cancel_booking(id, requester).await {
        Ok(booking) => {
            crate::mail::notify::booking_cancelled(&state, &booking);
            let next = if area_of(&page) == Area::Admin {
                format!("/bookings/{id}")
            } else {
                "/account/bookings?notice=booking-cancelled".to_owned()
            };
            Redirect::to(&next).into_response()
        }
        Err(error) => errors::page_for(&page, area_of(&page), &error.into()),
    }
}
