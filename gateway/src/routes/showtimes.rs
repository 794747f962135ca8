//! `/api/v1/showtimes`: screenings. Reads are public; scheduling, rescheduling, cancelling
//! and deleting need the staff token. Rules live in [`super::showtime_rules`].

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use boxoffice_storage::Reason;
use boxoffice_storage::catalog::{Format, Version};
use boxoffice_storage::{
    BookingStatus, Page, PriceList, Showtime, ShowtimeDraft, ShowtimeId, ShowtimeStatus, Timestamp,
};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::auth::StaffPrincipal;
use crate::error::{ApiError, Problem};
use crate::extract::{IdPath, Json, Query};
use crate::openapi::ProblemDoc;
use crate::routes::dependents::{self, CascadeParams, CascadeReport};
use crate::routes::showtime_rules::{self as rules, ShowtimeQuery};
use crate::state::AppState;

/// The showtime routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showtimes", get(list_showtimes).post(create_showtime))
        .route("/showtimes/{id}", get(get_showtime).patch(patch_showtime).delete(delete_showtime))
        .route("/showtimes/{id}/cancel", post(cancel_showtime))
}

/// A change to a scheduled showtime; at least one field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowtimePatch {
    /// New start (in the future); `ends_at` is recomputed.
    pub starts_at: Option<Timestamp>,
    /// New price list.
    pub prices: Option<PriceList>,
    /// New language version.
    pub version: Option<Version>,
    /// New picture format.
    pub format: Option<Format>,
}

/// The answer to cancelling a showtime.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShowtimeCancelled {
    /// The showtime, now cancelled.
    pub showtime: Showtime,
    /// Bookings cancelled and refunded.
    pub bookings_refunded: u32,
    /// Holds ended.
    pub holds_ended: u32,
}

async fn find(state: &AppState, id: ShowtimeId) -> Result<Showtime, ApiError> {
    state.storage.showtime(id).await?.ok_or_else(|| ApiError::not_found("showtime", id))
}

fn cancelled_conflict(id: ShowtimeId) -> ApiError {
    ApiError::conflict("showtime_cancelled", format!("showtime {id} is cancelled"))
}

/// Lists showtimes by start time.
#[utoipa::path(get, path = "/api/v1/showtimes", tag = "showtimes", params(ShowtimeQuery),
    responses(
        (status = 200, description = "A page of showtimes", body = Page<Showtime>),
        (status = 400, description = "Malformed query (bad UUID or date)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Inconsistent filters or `limit` out of range", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn list_showtimes(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(query): Query<ShowtimeQuery>,
) -> Result<Response, ApiError> {
    // Every customer of a rush opens the listing first: answers are cached briefly and
    // until the next catalog change (`crate::listing_cache`).
    let key = raw.unwrap_or_default();
    if let Some(body) = state.listings.get(&key) {
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let generation = state.listings.generation();
    let (filter, page) = query.parse()?;
    let listing = state.storage.list_showtimes(&filter, page).await?;
    let body = Bytes::from(serde_json::to_vec(&listing).map_err(|e| ApiError::internal(e.to_string()))?);
    state.listings.put(&key, generation, body.clone());
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Schedules a showtime (staff).
#[utoipa::path(post, path = "/api/v1/showtimes", tag = "showtimes", request_body = ShowtimeDraft, security(("bearer" = [])),
    responses(
        (status = 201, description = "Scheduled; `Location` names it", body = Showtime),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`showtime_overlap`, naming the conflicting showtime", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Unknown film/auditorium, past start, bad prices or capacity", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_showtime(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    Json(draft): Json<ShowtimeDraft>,
) -> Result<impl IntoResponse, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let (details, film) = rules::check_draft(&state, draft).await?;
    let ends_at =
        rules::ends_at(details.starts_at, film.details.duration_minutes, state.config.catalog.cleaning_buffer_minutes);
    let showtime = Showtime { id: ShowtimeId::new(), details, ends_at, status: ShowtimeStatus::Scheduled };
    if let Err(error) = state.storage.insert_showtime(&showtime).await {
        return Err(rules::write_error(&state, error).await);
    }
    tracing::info!(showtime_id = %showtime.id, "showtime scheduled");
    let location = format!("/api/v1/showtimes/{}", showtime.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(showtime)))
}

/// One showtime.
#[utoipa::path(get, path = "/api/v1/showtimes/{id}", tag = "showtimes", params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 200, description = "The showtime", body = Showtime),
        (status = 400, description = "The id is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such showtime", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn get_showtime(
    State(state): State<AppState>,
    IdPath(id): IdPath<ShowtimeId>,
) -> Result<Json<Showtime>, ApiError> {
    Ok(Json(find(&state, id).await?))
}

/// Reschedules a showtime or changes its prices, version or format (staff); running
/// showtime actors are told.
#[utoipa::path(patch, path = "/api/v1/showtimes/{id}", tag = "showtimes", request_body = ShowtimePatch, security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 200, description = "The updated showtime", body = Showtime),
        (status = 404, description = "No such showtime", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`showtime_overlap`, `showtime_cancelled` or `showtime_started`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Empty patch, past start or bad prices", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn patch_showtime(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
    Json(patch): Json<ShowtimePatch>,
) -> Result<Json<Showtime>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let current = find(&state, id).await?; // an unknown showtime is 404 whatever the body
    if patch.starts_at.is_none() && patch.prices.is_none() && patch.version.is_none() && patch.format.is_none() {
        return Err(ApiError::invalid(
            "body",
            Reason::NothingToChange,
            "give at least one of starts_at, prices, version, format",
        ));
    }
    let now = state.clock.now();
    if current.status == ShowtimeStatus::Cancelled {
        return Err(cancelled_conflict(id));
    }
    ensure_not_started(&current, now, "change")?;
    let mut details = current.details.clone();
    if let Some(starts_at) = patch.starts_at {
        rules::check_start(now, starts_at)?;
        details.starts_at = starts_at;
    }
    if let Some(prices) = patch.prices {
        details.prices = rules::check_prices(state.currency(), prices)?;
    }
    details.version = patch.version.unwrap_or(details.version);
    details.format = patch.format.unwrap_or(details.format);
    let duration_ms = match state.storage.film(details.film_id).await? {
        Some(film) => {
            (i64::from(film.details.duration_minutes) + i64::from(state.config.catalog.cleaning_buffer_minutes))
                * 60_000
        }
        None => current.ends_at.as_millis() - current.details.starts_at.as_millis(),
    };
    let updated = Showtime { ends_at: details.starts_at.plus_millis(duration_ms), details, ..current };
    if let Err(error) = state.storage.update_showtime(&updated).await {
        return Err(rules::write_error(&state, error).await);
    }
    state.engine.showtime_changed(updated.clone()).await?;
    tracing::info!(starts_at = %updated.details.starts_at, "showtime changed");
    Ok(Json(updated))
}

/// 409 `showtime_started` when `showtime` has started: it can no longer `what`.
fn ensure_not_started(showtime: &Showtime, now: Timestamp, what: &str) -> Result<(), ApiError> {
    if showtime.details.starts_at <= now {
        return Err(ApiError::conflict(
            "showtime_started",
            format!("showtime {} started at {}; it can no longer {what}", showtime.id, showtime.details.starts_at),
        ));
    }
    Ok(())
}

/// Cancels a showtime (staff): every hold ends, every booking is cancelled and refunded.
/// A showtime that has started can no longer be cancelled (409 `showtime_started`).
#[utoipa::path(post, path = "/api/v1/showtimes/{id}/cancel", tag = "showtimes", security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id")),
    responses(
        (status = 200, description = "Cancelled, with what was refunded", body = ShowtimeCancelled),
        (status = 404, description = "No such showtime", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`showtime_cancelled`: already cancelled; `showtime_started`: it has started", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn cancel_showtime(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
) -> Result<Json<ShowtimeCancelled>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let showtime = find(&state, id).await?;
    if showtime.status == ShowtimeStatus::Cancelled {
        return Err(cancelled_conflict(id));
    }
    ensure_not_started(&showtime, state.clock.now(), "be cancelled; its bookings stay paid")?;
    let report = dependents::cancel_showtime(&state, &showtime).await?;
    let showtime = Showtime { status: ShowtimeStatus::Cancelled, ..showtime };
    Ok(Json(ShowtimeCancelled {
        showtime,
        bookings_refunded: report.bookings_refunded,
        holds_ended: report.holds_ended,
    }))
}

/// Deletes a showtime (staff). 409 `has_dependents` while it has confirmed bookings, unless
/// `cascade=true`; a scheduled showtime is cancelled through the engine first.
#[utoipa::path(delete, path = "/api/v1/showtimes/{id}", tag = "showtimes", security(("bearer" = [])),
    params(("id" = ShowtimeId, Path, description = "Showtime id"), CascadeParams),
    responses(
        (status = 200, description = "Deleted; what was cancelled first", body = CascadeReport),
        (status = 404, description = "No such showtime", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`has_dependents`: confirmed bookings exist; `showtime_started`: it has started and has confirmed bookings", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(showtime_id = %id))]
pub async fn delete_showtime(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
    Query(params): Query<CascadeParams>,
) -> Result<Json<CascadeReport>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let showtime = find(&state, id).await?;
    let bookings = state.storage.bookings_of_showtime(id).await?;
    let confirmed = bookings.iter().filter(|b| b.status == BookingStatus::Confirmed).count();
    if confirmed > 0 {
        ensure_not_started(&showtime, state.clock.now(), "be deleted while it has confirmed bookings")?;
    }
    if confirmed > 0 && !params.cascade {
        let detail = format!(
            "the showtime has {confirmed} confirmed booking(s); retry with ?cascade=true to cancel (and refund) them and delete"
        );
        return Err(Problem::new(StatusCode::CONFLICT, "has_dependents", "Has dependents", detail)
            .with("bookings", confirmed)
            .into());
    }
    let report = match showtime.status {
        ShowtimeStatus::Scheduled => dependents::cancel_showtime(&state, &showtime).await?,
        ShowtimeStatus::Cancelled => CascadeReport::default(),
    };
    state.storage.delete_showtime(id, state.clock.now()).await?;
    // The actor still holds the showtime in memory; the next request reloads (and misses) it.
    state.engine.evict(id).await;
    tracing::info!(bookings_refunded = report.bookings_refunded, "showtime deleted");
    Ok(Json(report))
}
