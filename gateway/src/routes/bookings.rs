//! Booking endpoints: the live seat map of a showtime (from its actor's memory), holds,
//! purchase from the wallet, and booking lookup and cancellation. Every decision goes
//! through the engine; nothing here touches seats directly.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use boxoffice_engine::{HoldRequest, HoldView, Requester, SeatMapView, TierChoice};
use boxoffice_storage::{Booking, BookingId, HoldId, ShowtimeId};
use boxoffice_storage::{FieldError, Reason};
use serde::Deserialize;

use crate::auth::{CustomerPrincipal, Permission, Principal, StaffPrincipal, VerifiedCustomer};
use crate::error::ApiError;
use crate::extract::{IdPath, Json, Path, parse_id};
use crate::openapi::ProblemDoc;
use crate::state::AppState;

/// The booking routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showtimes/{id}/seats", get(seat_map))
        .route("/showtimes/{id}/seats/block", post(block_seats))
        .route("/showtimes/{id}/holds", post(create_hold))
        .route("/showtimes/{id}/holds/current", get(current_hold))
        .route("/showtimes/{id}/holds/{hold_id}", delete(release_hold))
        .route("/showtimes/{id}/holds/{hold_id}/purchase", post(purchase))
        .route("/bookings/{id}", get(get_booking))
        .route("/bookings/{id}/cancel", post(cancel_booking))
}

/// What to hold: either `seats` (reserved seating) or `quantity` (general admission).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// Seat labels such as `F12` (1 to 10).
    #[serde(default)]
    pub seats: Option<Vec<String>>,
    /// Number of tickets, for general-admission showtimes (1 to 10).
    #[serde(default)]
    pub quantity: Option<u32>,
}

impl HoldInput {
    fn into_request(self) -> Result<HoldRequest, ApiError> {
        match (self.seats, self.quantity) {
            (Some(seats), None) => {
                if let Some(bad) = seats.iter().find(|s| s.is_empty() || s.len() > 8) {
                    return Err(FieldError::new("seats", Reason::SeatLabel, format!("{bad:?} is not a seat label"))
                        .param("label", bad.as_str())
                        .into());
                }
                Ok(HoldRequest::Seats(seats))
            }
            (None, Some(quantity)) => Ok(HoldRequest::Quantity(quantity)),
            _ => Err(ApiError::invalid(
                "seats",
                Reason::EitherOr,
                "give either `seats` (a list of labels) or `quantity`, not both",
            )),
        }
    }
}

/// Tiers for a purchase; omitted or empty: the showtime's first tier for every ticket.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseInput {
    /// One entry per ticket: `{"seat": "F12", "tier": "child"}` (no `seat` for general
    /// admission).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub tiers: Vec<TierChoice>,
}

/// Seats to block or unblock (staff).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    /// Seat labels.
    pub seats: Vec<String>,
    /// `true` to block, `false` to unblock.
    pub blocked: bool,
}

/// The seat map of a showtime: every seat's state and type, counts and prices.
#[utoipa::path(get, path = "/api/v1/showtimes/{id}/seats", tag = "booking", params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 200, description = "The live seat map", body = Object),
        (status = 404, description = "`showtime_not_found`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "`overloaded`: retry after `Retry-After` seconds", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn seat_map(
    State(state): State<AppState>,
    IdPath(id): IdPath<ShowtimeId>,
) -> Result<Json<SeatMapView>, ApiError> {
    Ok(Json(state.engine.seat_map(id).await?))
}

/// Holds seats (or tickets) for the signed-in customer, replacing their previous hold on
/// this showtime atomically.
#[utoipa::path(post, path = "/api/v1/showtimes/{id}/holds", tag = "booking", request_body = HoldInput, security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 201, description = "Held until `expires_at`", body = Object),
        (status = 404, description = "`showtime_not_found`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`seats_unavailable` (naming `seats`), `sold_out`, `not_enough_tickets`, `not_on_sale`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_seats`, `invalid_request`, `validation_failed`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "`overloaded` or `storage_unavailable`, with `Retry-After`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id, customer_id = %owner))]
pub async fn create_hold(
    State(state): State<AppState>,
    CustomerPrincipal(owner): CustomerPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
    Json(input): Json<HoldInput>,
) -> Result<impl IntoResponse, ApiError> {
    let hold = state.engine.hold(id, owner, input.into_request()?).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// The signed-in customer's current hold on this showtime.
#[utoipa::path(get, path = "/api/v1/showtimes/{id}/holds/current", tag = "booking", security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 200, description = "The hold", body = Object),
        (status = 404, description = "`hold_not_found`: no live hold", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id, customer_id = %owner))]
pub async fn current_hold(
    State(state): State<AppState>,
    CustomerPrincipal(owner): CustomerPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
) -> Result<Json<HoldView>, ApiError> {
    let hold = state.engine.current_hold(id, owner).await?;
    hold.map(Json).ok_or_else(|| boxoffice_engine::EngineError::HoldNotFound.into())
}

fn showtime_and_hold(raw: &(String, String)) -> Result<(ShowtimeId, HoldId), ApiError> {
    Ok((parse_id("id", &raw.0)?, parse_id("hold_id", &raw.1)?))
}

/// Releases the customer's hold.
#[utoipa::path(delete, path = "/api/v1/showtimes/{id}/holds/{hold_id}", tag = "booking", security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id"), ("hold_id" = HoldId, Path, description = "Hold id")),
    responses(
        (status = 204, description = "Released; the seats are free"),
        (status = 404, description = "`hold_not_found`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %owner))]
pub async fn release_hold(
    State(state): State<AppState>,
    CustomerPrincipal(owner): CustomerPrincipal,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, hold) = showtime_and_hold(&raw)?;
    state.engine.release(id, owner, hold).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Buys the customer's hold from their wallet.
#[utoipa::path(post, path = "/api/v1/showtimes/{id}/holds/{hold_id}/purchase", tag = "booking", request_body = PurchaseInput, security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id"), ("hold_id" = HoldId, Path, description = "Hold id")),
    responses(
        (status = 201, description = "The booking, with its `reference`", body = Booking),
        (status = 402, description = "`insufficient_balance`; the hold stays until it expires", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "`hold_not_found` (expired, released or someone else's)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_tier`, `invalid_request`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %owner))]
pub async fn purchase(
    State(state): State<AppState>,
    VerifiedCustomer(owner): VerifiedCustomer,
    Path(raw): Path<(String, String)>,
    body: Option<Json<PurchaseInput>>,
) -> Result<impl IntoResponse, ApiError> {
    let (id, hold) = showtime_and_hold(&raw)?;
    // No body (or an empty one): the first tier for every ticket.
    let tiers = body.map(|Json(input)| input.tiers).unwrap_or_default();
    if tiers.len() > 10 {
        return Err(FieldError::too_many("tiers", 10).into());
    }
    let booking = state.engine.purchase(id, owner, hold, tiers).await?;
    crate::mail::notify::booking_confirmed(&state, &booking);
    Ok((StatusCode::CREATED, Json(booking)))
}

/// Loads a booking visible to `principal` (a customer sees only their own).
async fn visible_booking(state: &AppState, principal: Principal, id: BookingId) -> Result<Booking, ApiError> {
    let booking = state.storage.booking(id).await?;
    match (booking, principal) {
        (Some(b), p) if p.allows(Permission::ReadBookings) => Ok(b),
        (Some(b), p) if p.owner() == Some(b.record.customer_id) => Ok(b),
        _ => Err(boxoffice_engine::EngineError::BookingNotFound.into()),
    }
}

/// A booking (the customer's own, or any for staff).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "booking", security(("bearer" = [])),
    params(("id" = BookingId, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The booking", body = Booking),
        (status = 404, description = "`booking_not_found` (also for another customer's booking)", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn get_booking(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<BookingId>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(visible_booking(&state, principal, id).await?))
}

/// Cancels a booking and refunds it to the wallet: customers until the cut-off before the
/// showtime (default 2 h), staff until it starts.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "booking", security(("bearer" = [])),
    params(("id" = BookingId, Path, description = "Booking id")),
    responses(
        (status = 200, description = "Cancelled and refunded", body = Booking),
        (status = 404, description = "`booking_not_found`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`cancellation_closed` (with `deadline`), `already_cancelled`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<BookingId>,
) -> Result<Json<Booking>, ApiError> {
    let requester = match principal {
        p if p.allows(Permission::Refund) => Requester::Staff,
        p => Requester::Customer(
            p.owner().ok_or_else(|| ApiError::forbidden("the cashier role may not cancel bookings"))?,
        ),
    };
    let booking = state.engine.cancel_booking(id, requester).await?;
    crate::mail::notify::booking_cancelled(&state, &booking);
    Ok(Json(booking))
}

/// Blocks or unblocks seats (staff: broken seats, house seats).
#[utoipa::path(post, path = "/api/v1/showtimes/{id}/seats/block", tag = "booking", request_body = BlockInput, security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 204, description = "Done"),
        (status = 409, description = "`seats_unavailable`: only free seats can be blocked, only blocked ones unblocked", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_seats`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn block_seats(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
    Json(input): Json<BlockInput>,
) -> Result<StatusCode, ApiError> {
    if input.seats.is_empty() || input.seats.len() > 500 {
        return Err(FieldError::new("seats", Reason::EntryCount, "1 to 500 seat labels")
            .param("min", 1_i64)
            .param("max", 500_i64)
            .into());
    }
    state.engine.block_seats(id, input.seats, input.blocked).await?;
    Ok(StatusCode::NO_CONTENT)
}
