//! The box office (admin, manager, cashier): hold and sell to walk-in customers without an
//! account, paid at the counter (cash or card terminal, recorded as external money, never
//! a wallet), and show or print the ticket with its reference and QR code.
//!
//! Every sale gets its own walk-in customer record (`Walk-in customer`, no account, no
//! email), so two walk-ins served by one cashier never replace each other's holds. The
//! payment goes through the engine's terminal saga (`begin_terminal_payment` /
//! `confirm_terminal_payment`): the money enters the walk-in record's ledger and pays the
//! booking, so cancellations and the settler work unchanged.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_engine::{EngineError, HoldRequest, HoldView, TierChoice};
use boxoffice_storage::{Booking, Customer, CustomerId, HoldId, ShowtimeId};
use boxoffice_storage::{FieldError, Reason};
use serde::{Deserialize, Serialize};

use crate::auth::{BoxOfficePrincipal, generate_token, token_sha256};
use crate::error::ApiError;
use crate::extract::{Json, Path, parse_id};
use crate::openapi::ProblemDoc;
use crate::state::AppState;

mod tickets;

pub use self::tickets::*;

/// The box office routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/box-office/sales", post(sell_now))
        .route("/box-office/holds", post(hold))
        .route("/box-office/holds/{hold_id}/sell", post(sell_hold))
        .route("/box-office/holds/{hold_id}/release", post(release))
        .route("/box-office/tickets/{id}", get(ticket))
        .route("/box-office/tickets/{id}/print", get(print_ticket))
}

/// Seats (or a quantity) of a showtime for a walk-in.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInHold {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// Seat labels (reserved seating).
    #[serde(default)]
    pub seats: Option<Vec<String>>,
    /// Number of tickets (general admission).
    #[serde(default)]
    pub quantity: Option<u32>,
}

/// How the walk-in paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CounterPayment {
    /// Cash at the counter.
    Cash,
    /// Card on the counter's terminal (`terminal_ref` is its approval code).
    Card,
}

/// Selling a walk-in hold.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sale {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// The walk-in record the hold belongs to (from the hold answer).
    pub walk_in_id: CustomerId,
    /// Tiers per ticket; omitted: the first tier.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub tiers: Vec<TierChoice>,
    /// `cash` or `card`.
    pub payment: CounterPayment,
    /// The card terminal's approval code (card payments).
    #[serde(default)]
    pub terminal_ref: Option<String>,
}

/// Hold and sell at once.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickSale {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// Seat labels (reserved seating).
    #[serde(default)]
    pub seats: Option<Vec<String>>,
    /// Number of tickets (general admission).
    #[serde(default)]
    pub quantity: Option<u32>,
    /// Tiers per ticket; omitted: the first tier.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub tiers: Vec<TierChoice>,
    /// `cash` or `card`.
    pub payment: CounterPayment,
    /// The card terminal's approval code (card payments).
    #[serde(default)]
    pub terminal_ref: Option<String>,
}

/// Which walk-in hold to release.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// The walk-in record.
    pub walk_in_id: CustomerId,
}

/// A walk-in hold.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WalkInHeld {
    /// The walk-in record that owns the hold; pass it back to sell or release.
    pub walk_in_id: CustomerId,
    /// The hold.
    #[schema(value_type = Object)]
    pub hold: HoldView,
}

/// A sale: the booking and its ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sold {
    /// The booking.
    pub booking: Booking,
    /// The ticket.
    pub ticket: Ticket,
}

fn hold_request(seats: Option<Vec<String>>, quantity: Option<u32>) -> Result<HoldRequest, ApiError> {
    match (seats, quantity) {
        (Some(seats), None) if !seats.is_empty() && seats.iter().all(|s| !s.is_empty() && s.len() <= 8) => {
            Ok(HoldRequest::Seats(seats))
        }
        (None, Some(quantity)) if quantity > 0 => Ok(HoldRequest::Quantity(quantity)),
        _ => Err(ApiError::invalid(
            "seats",
            Reason::EitherOr,
            "give either `seats` (seat labels) or `quantity` (at least 1), not both",
        )),
    }
}

/// The address of a walk-in record: what tells it from a customer's account.
fn walk_in_email(id: CustomerId) -> String {
    format!("walk-in+{}@walk-in.invalid", id.as_uuid().simple())
}

/// 404 `hold_not_found` unless `id` is a walk-in record made by the box office: the counter
/// sells and releases its own holds, never a customer's online hold (selling one would put
/// counter money into that customer's wallet on a later cancellation).
async fn ensure_walk_in(state: &AppState, id: CustomerId) -> Result<(), ApiError> {
    match state.storage.customer(id).await? {
        Some(customer) if customer.email == walk_in_email(id) => Ok(()),
        _ => Err(EngineError::HoldNotFound.into()),
    }
}

async fn new_walk_in(state: &AppState) -> Result<CustomerId, ApiError> {
    let id = CustomerId::new();
    let customer =
        Customer { id, name: "Walk-in customer".into(), email: walk_in_email(id), created_at: state.clock.now() };
    // The record has no usable token: the hash of a secret nobody keeps.
    state.storage.insert_customer(&customer, &token_sha256(&generate_token())).await?;
    Ok(id)
}

fn payment_reference(
    staff: &BoxOfficePrincipal,
    payment: CounterPayment,
    terminal_ref: Option<&str>,
) -> Result<String, ApiError> {
    let who = staff.0.account_id().map_or_else(|| "admin-token".to_owned(), |a| a.as_uuid().simple().to_string());
    match (payment, terminal_ref.map(str::trim).filter(|r| !r.is_empty())) {
        (CounterPayment::Cash, _) => Ok(format!("cash:{}", &who[..who.len().min(32)])),
        (CounterPayment::Card, Some(code)) if code.len() <= 40 && code.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(format!("card:{code}"))
        }
        (CounterPayment::Card, _) => Err(ApiError::invalid(
            "terminal_ref",
            Reason::TerminalRef,
            "a card payment needs the terminal's approval code (1 to 40 printable characters)",
        )),
    }
}

async fn complete_sale(
    state: &AppState,
    staff: &BoxOfficePrincipal,
    showtime: ShowtimeId,
    walk_in: CustomerId,
    hold: HoldId,
    tiers: Vec<TierChoice>,
    reference: &str,
) -> Result<Sold, ApiError> {
    if tiers.len() > 10 {
        return Err(FieldError::too_many("tiers", 10).into());
    }
    let payment = state.engine.begin_terminal_payment(showtime, walk_in, hold, tiers).await?;
    let booking = state.engine.confirm_terminal_payment(&payment, reference).await?;
    tracing::info!(booking_id = %booking.record.id, staff = ?staff.0.account_id(), "box office sale");
    let ticket = ticket_of(state, &booking).await?;
    Ok(Sold { booking, ticket })
}

/// Holds seats for a walk-in customer.
#[utoipa::path(post, path = "/api/v1/box-office/holds", tag = "box office", security(("bearer" = [])), request_body = WalkInHold,
    responses((status = 201, description = "Held for a new walk-in record", body = WalkInHeld),
        (status = 403, description = "Not box office staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`seats_unavailable`, `sold_out`, `not_on_sale`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn hold(
    State(state): State<AppState>,
    _staff: BoxOfficePrincipal,
    Json(input): Json<WalkInHold>,
) -> Result<impl IntoResponse, ApiError> {
    let request = hold_request(input.seats, input.quantity)?;
    let walk_in = new_walk_in(&state).await?;
    let hold = state.engine.hold(input.showtime_id, walk_in, request).await?;
    Ok((StatusCode::CREATED, Json(WalkInHeld { walk_in_id: walk_in, hold })))
}

/// Sells a walk-in hold, paid at the counter.
#[utoipa::path(post, path = "/api/v1/box-office/holds/{hold_id}/sell", tag = "box office", security(("bearer" = [])), request_body = Sale,
    params(("hold_id" = HoldId, Path, description = "Hold id")),
    responses((status = 201, description = "Sold; the ticket", body = Sold),
        (status = 404, description = "`hold_not_found`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`terminal_ref`, `tiers`), `unknown_tier`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn sell_hold(
    State(state): State<AppState>,
    staff: BoxOfficePrincipal,
    Path(hold_id): Path<String>,
    Json(input): Json<Sale>,
) -> Result<impl IntoResponse, ApiError> {
    let hold: HoldId = parse_id("hold_id", &hold_id)?;
    let reference = payment_reference(&staff, input.payment, input.terminal_ref.as_deref())?;
    ensure_walk_in(&state, input.walk_in_id).await?;
    let sold =
        complete_sale(&state, &staff, input.showtime_id, input.walk_in_id, hold, input.tiers, &reference).await?;
    Ok((StatusCode::CREATED, Json(sold)))
}

/// Holds and sells in one step.
#[utoipa::path(post, path = "/api/v1/box-office/sales", tag = "box office", security(("bearer" = [])), request_body = QuickSale,
    responses((status = 201, description = "Sold; the ticket", body = Sold),
        (status = 409, description = "`seats_unavailable`, `sold_out`, `not_on_sale`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` naming the field", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn sell_now(
    State(state): State<AppState>,
    staff: BoxOfficePrincipal,
    Json(input): Json<QuickSale>,
) -> Result<impl IntoResponse, ApiError> {
    let request = hold_request(input.seats, input.quantity)?;
    let reference = payment_reference(&staff, input.payment, input.terminal_ref.as_deref())?;
    let walk_in = new_walk_in(&state).await?;
    let held = state.engine.hold(input.showtime_id, walk_in, request).await?;
    match complete_sale(&state, &staff, input.showtime_id, walk_in, held.hold_id, input.tiers, &reference).await {
        Ok(sold) => Ok((StatusCode::CREATED, Json(sold))),
        Err(error) => {
            // Nothing was sold: free the seats now rather than at the hold's expiry.
            let _ = state.engine.release(input.showtime_id, walk_in, held.hold_id).await;
            Err(error)
        }
    }
}

/// Releases a walk-in hold.
#[utoipa::path(post, path = "/api/v1/box-office/holds/{hold_id}/release", tag = "box office", security(("bearer" = [])), request_body = Release,
    params(("hold_id" = HoldId, Path, description = "Hold id")),
    responses((status = 204, description = "Released"),
        (status = 404, description = "`hold_not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn release(
    State(state): State<AppState>,
    _staff: BoxOfficePrincipal,
    Path(hold_id): Path<String>,
    Json(input): Json<Release>,
) -> Result<StatusCode, ApiError> {
    let hold: HoldId = parse_id("hold_id", &hold_id)?;
    ensure_walk_in(&state, input.walk_in_id).await?;
    state.engine.release(input.showtime_id, input.walk_in_id, hold).await?;
    Ok(StatusCode::NO_CONTENT)
}
