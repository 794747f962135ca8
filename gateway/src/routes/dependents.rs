//! Safe deletion: what depends on a film, auditorium or showtime, the 409 `has_dependents`
//! answer, and the cascade that cancels (and refunds) future showtimes through the engine.

use boxoffice_storage::{BookingStatus, PageRequest, Showtime, ShowtimeFilter, ShowtimeStatus, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

/// Most showtimes one cascade may cancel (bounded work per request).
pub const CASCADE_SHOWTIMES_MAX: usize = 10_000;

/// `?cascade=true` on deletions.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CascadeParams {
    /// Cancel (and refund) dependent future showtimes first, then delete.
    #[serde(default)]
    pub cascade: bool,
}

/// What a cascade did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CascadeReport {
    /// Showtimes cancelled.
    pub showtimes_cancelled: u32,
    /// Bookings cancelled and refunded.
    pub bookings_refunded: u32,
    /// Holds ended.
    pub holds_ended: u32,
}

/// Scheduled showtimes matching `filter` that start now or later.
///
/// # Errors
/// Storage failures; more than [`CASCADE_SHOWTIMES_MAX`] showtimes.
pub async fn future_showtimes(state: &AppState, mut filter: ShowtimeFilter) -> Result<Vec<Showtime>, ApiError> {
    filter.from = Some(state.clock.now());
    filter.include_cancelled = false;
    let mut found = Vec::new();
    loop {
        let offset = u32::try_from(found.len()).unwrap_or(u32::MAX);
        let page = state.storage.list_showtimes(&filter, PageRequest { offset, limit: 200 }).await?;
        let done = page.items.len() < 200;
        found.extend(page.items.into_iter().filter(|s| s.status == ShowtimeStatus::Scheduled));
        if found.len() > CASCADE_SHOWTIMES_MAX {
            return Err(ApiError::conflict(
                "too_many_dependents",
                format!("more than {CASCADE_SHOWTIMES_MAX} future showtimes; cancel them in smaller steps"),
            ));
        }
        if done {
            return Ok(found);
        }
    }
}

/// Longest a showtime can run: the longest film (600 minutes) plus the longest cleaning
/// buffer (240 minutes).
const SHOWTIME_SPAN_MAX_MS: i64 = (600 + 240) * 60_000;

/// 409 `showtime_running` when a scheduled showtime matching `filter` has started and not
/// ended: it cannot be cancelled (its audience is in the room), and its auditorium's layout
/// and its film must stay as they are until it ends.
///
/// # Errors
/// Storage failures; the 409.
pub async fn ensure_none_running(state: &AppState, mut filter: ShowtimeFilter, what: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    filter.from = Some(Timestamp::from_millis(now.as_millis().saturating_sub(SHOWTIME_SPAN_MAX_MS)));
    filter.to = Some(Timestamp::from_millis(now.as_millis().saturating_add(1)));
    filter.include_cancelled = false;
    let mut offset = 0u32;
    let running = loop {
        let page = state.storage.list_showtimes(&filter, PageRequest { offset, limit: 200 }).await?;
        let found = page.items.iter().find(|s| s.status == ShowtimeStatus::Scheduled && s.ends_at > now).cloned();
        if found.is_some() || page.items.len() < 200 {
            break found;
        }
        offset = offset.saturating_add(200);
    };
    match running {
        Some(showtime) => Err(crate::error::Problem::new(
            axum::http::StatusCode::CONFLICT,
            "showtime_running",
            "Showtime running",
            format!(
                "{what} while showtime {} is running (until {}); retry after it ends",
                showtime.id, showtime.ends_at
            ),
        )
        .with("showtime_id", showtime.id.to_string())
        .with("ends_at", showtime.ends_at.to_string())
        .into()),
        None => Ok(()),
    }
}

/// Confirmed bookings of these showtimes.
///
/// # Errors
/// Storage failures.
pub async fn confirmed_bookings(state: &AppState, showtimes: &[Showtime]) -> Result<u64, ApiError> {
    let mut count = 0u64;
    for showtime in showtimes {
        let bookings = state.storage.bookings_of_showtime(showtime.id).await?;
        count += bookings.iter().filter(|b| b.status == BookingStatus::Confirmed).count() as u64;
    }
    Ok(count)
}

/// 409 `has_dependents` with the reason and the counts.
#[must_use]
pub fn has_dependents(what: &str, showtimes: usize, bookings: u64) -> ApiError {
    let detail = format!(
        "{what} has {showtimes} future scheduled showtime(s) with {bookings} confirmed booking(s); \
         retry with ?cascade=true to cancel them (bookings are refunded) and delete"
    );
    let problem =
        crate::error::Problem::new(axum::http::StatusCode::CONFLICT, "has_dependents", "Has dependents", detail)
            .with("showtimes", showtimes)
            .with("bookings", bookings);
    problem.into()
}

/// Cancels one showtime through the engine (ends holds, cancels and refunds bookings),
/// then marks it cancelled in storage.
///
/// # Errors
/// Engine or storage failures.
pub async fn cancel_showtime(state: &AppState, showtime: &Showtime) -> Result<CascadeReport, ApiError> {
    let outcome = state.engine.cancel_showtime(showtime.id).await?;
    let mut cancelled = showtime.clone();
    cancelled.status = ShowtimeStatus::Cancelled;
    state.storage.update_showtime(&cancelled).await?;
    crate::mail::notify::showtime_cancelled(state, showtime.id);
    tracing::info!(showtime_id = %showtime.id, bookings = outcome.bookings_refunded, holds = outcome.holds_ended, "showtime cancelled");
    Ok(CascadeReport {
        showtimes_cancelled: 1,
        bookings_refunded: outcome.bookings_refunded,
        holds_ended: outcome.holds_ended,
    })
}

/// Cancels every showtime of `showtimes`, adding up what was done.
///
/// # Errors
/// The first failure (showtimes cancelled before it stay cancelled; a retry goes on).
pub async fn cancel_all(state: &AppState, showtimes: &[Showtime]) -> Result<CascadeReport, ApiError> {
    let mut total = CascadeReport::default();
    for showtime in showtimes {
        let one = cancel_showtime(state, showtime).await?;
        total.showtimes_cancelled += one.showtimes_cancelled;
        total.bookings_refunded += one.bookings_refunded;
        total.holds_ended += one.holds_ended;
    }
    Ok(total)
}
