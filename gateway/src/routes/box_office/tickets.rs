//! Tickets of the box office: a booking's reference, film, time, seats and the QR code of
//! the reference, as JSON or as a printable page.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use boxoffice_storage::{Booking, BookingId, Timestamp};
use serde::Serialize;

use crate::auth::BoxOfficePrincipal;
use crate::error::ApiError;
use crate::extract::{IdPath, Json};
use crate::mail::templates::escape_html;
use crate::openapi::ProblemDoc;
use crate::state::AppState;

/// A ticket to show or print.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    /// The booking reference (also in the QR code).
    pub reference: String,
    /// The booking.
    pub booking_id: BookingId,
    /// Film title.
    pub film: String,
    /// Showtime start.
    pub starts_at: Timestamp,
    /// Auditorium.
    pub auditorium: String,
    /// Seat labels (`GA` for general admission) with their tier and price.
    pub lines: Vec<String>,
    /// Total paid.
    pub total: String,
    /// The reference as a QR code, SVG.
    pub qr_svg: String,
}

pub(super) async fn ticket_of(state: &AppState, booking: &Booking) -> Result<Ticket, ApiError> {
    let record = &booking.record;
    let showtime = state
        .storage
        .showtime(record.showtime_id)
        .await?
        .ok_or_else(|| ApiError::not_found("showtime", record.showtime_id))?;
    let film = state.storage.film(showtime.details.film_id).await?.map_or_else(|| "?".into(), |f| f.details.title);
    let auditorium =
        state.storage.auditorium(showtime.details.auditorium_id).await?.map_or_else(|| "?".into(), |a| a.details.name);
    Ok(Ticket {
        reference: record.reference.clone(),
        booking_id: record.id,
        film,
        starts_at: showtime.details.starts_at,
        auditorium,
        lines: record.lines.iter().map(|l| format!("{} {} {}", l.label, l.tier, l.price)).collect(),
        total: record.total.to_string(),
        qr_svg: crate::qr::svg(&record.reference).map_err(ApiError::internal)?,
    })
}

async fn find_ticket(state: &AppState, id: BookingId) -> Result<Ticket, ApiError> {
    let booking = state.storage.booking(id).await?.ok_or(boxoffice_engine::EngineError::BookingNotFound)?;
    ticket_of(state, &booking).await
}

/// A booking's ticket: reference, film, time, seats and the QR code of the reference.
#[utoipa::path(get, path = "/api/v1/box-office/tickets/{id}", tag = "box office", security(("bearer" = [])),
    params(("id" = BookingId, Path, description = "Booking id")),
    responses((status = 200, description = "The ticket", body = Ticket),
        (status = 404, description = "`booking_not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn ticket(
    State(state): State<AppState>,
    _staff: BoxOfficePrincipal,
    IdPath(id): IdPath<BookingId>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(find_ticket(&state, id).await?))
}

/// The ticket as a printable HTML page.
#[utoipa::path(get, path = "/api/v1/box-office/tickets/{id}/print", tag = "box office", security(("bearer" = [])),
    params(("id" = BookingId, Path, description = "Booking id")),
    responses((status = 200, description = "Printable page", content_type = "text/html")))]
pub async fn print_ticket(
    State(state): State<AppState>,
    _staff: BoxOfficePrincipal,
    IdPath(id): IdPath<BookingId>,
) -> Result<impl IntoResponse, ApiError> {
    let t = find_ticket(&state, id).await?;
    let lines: String = t.lines.iter().map(|l| format!("<li>{}</li>", escape_html(l))).collect();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ticket {reference}</title>\
         <style>body{{font-family:sans-serif;max-width:30em;margin:2em auto}}h1{{font-size:1.4em}}</style></head><body>\
         <h1>{film}</h1><p>{starts} &middot; {auditorium}</p><ul>{lines}</ul><p>Total: {total}</p>\
         <p>Reference: <strong>{reference}</strong></p>{qr}</body></html>",
        reference = escape_html(&t.reference),
        film = escape_html(&t.film),
        starts = escape_html(&crate::mail::messages::show_time(
            t.starts_at,
            boxoffice_storage::Language::En,
            state.config.site.zone()
        )),
        auditorium = escape_html(&t.auditorium),
        total = escape_html(&t.total),
        qr = t.qr_svg,
    );
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page)))
}
