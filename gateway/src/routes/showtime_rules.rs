//! Scheduling rules shared by creating and rescheduling showtimes: the film and auditorium
//! must exist, the start lies in the future, prices are valid and in the configured currency,
//! general-admission capacity is bounded, `ends_at = starts_at + duration + cleaning buffer`,
//! and an overlap names the conflicting showtime and its times.

use boxoffice_storage::{
    Currency, Film, PageRequest, PriceList, Seating, Showtime, ShowtimeDraft, ShowtimeFilter, StorageError, Timestamp,
};
use boxoffice_storage::{FieldError, Reason};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::extract::PageParams;
use crate::state::AppState;

/// Largest general-admission capacity.
pub const GENERAL_ADMISSION_CAPACITY_MAX: u32 = 100_000;
/// Furthest ahead a showtime may be scheduled.
pub const SCHEDULE_AHEAD_MS_MAX: i64 = 2 * 366 * 24 * 3_600_000;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 3_600_000;

/// Query of `GET /showtimes`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShowtimeQuery {
    /// Only this film.
    #[param(value_type = Option<String>, format = Uuid)]
    pub film_id: Option<boxoffice_storage::FilmId>,
    /// Only this auditorium.
    #[param(value_type = Option<String>, format = Uuid)]
    pub auditorium_id: Option<boxoffice_storage::AuditoriumId>,
    /// Only showtimes starting at or after this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// Only showtimes starting before this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// Only showtimes starting on this UTC day (`YYYY-MM-DD`); not with `from`/`to`.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// Include cancelled showtimes (default false).
    pub include_cancelled: Option<bool>,
    /// Items to skip.
    pub offset: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

impl ShowtimeQuery {
    /// The storage filter and page.
    ///
    /// # Errors
    /// 422 naming `date` (with `from`/`to`), `to` (before `from`) or `limit`.
    pub fn parse(self) -> Result<(ShowtimeFilter, PageRequest), ApiError> {
        let page = PageParams { offset: self.offset, limit: self.limit }.page()?;
        let (from, to) = match self.date {
            Some(_) if self.from.is_some() || self.to.is_some() => {
                return Err(ApiError::invalid("date", Reason::EitherOr, "give either `date` or `from`/`to`, not both"));
            }
            Some(day) => {
                let start = day
                    .and_hms_opt(0, 0, 0)
                    .map(|d| d.and_utc().timestamp_millis())
                    .ok_or_else(|| ApiError::invalid("date", Reason::Date, "not a valid day"))?;
                (Some(Timestamp::from_millis(start)), Some(Timestamp::from_millis(start + DAY_MS)))
            }
            None => (self.from, self.to),
        };
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(ApiError::invalid("to", Reason::EndBeforeStart, "must not be before `from`"));
        }
        let filter = ShowtimeFilter {
            film_id: self.film_id,
            auditorium_id: self.auditorium_id,
            from,
            to,
            include_cancelled: self.include_cancelled.unwrap_or(false),
        };
        Ok((filter, page))
    }
}

/// Checks a new showtime and returns its film (for the duration).
///
/// # Errors
/// 422 `validation_failed` naming the first bad field.
pub async fn check_draft(state: &AppState, draft: ShowtimeDraft) -> Result<(ShowtimeDraft, Film), ApiError> {
    let film = state.storage.film(draft.film_id).await?.ok_or_else(|| {
        ApiError::invalid("film_id", Reason::UnknownReference, format!("film {} does not exist", draft.film_id))
    })?;
    state.storage.auditorium(draft.auditorium_id).await?.ok_or_else(|| {
        ApiError::invalid(
            "auditorium_id",
            Reason::UnknownReference,
            format!("auditorium {} does not exist", draft.auditorium_id),
        )
    })?;
    check_start(state.clock.now(), draft.starts_at)?;
    let prices = check_prices(state.currency(), draft.prices)?;
    check_seating(draft.seating)?;
    Ok((ShowtimeDraft { prices, ..draft }, film))
}

/// A start must lie in the future and at most about two years ahead.
///
/// # Errors
/// 422 naming `starts_at`.
pub fn check_start(now: Timestamp, starts_at: Timestamp) -> Result<(), ApiError> {
    if starts_at <= now {
        return Err(ApiError::invalid("starts_at", Reason::InPast, format!("{starts_at} is in the past")));
    }
    if starts_at.as_millis() - now.as_millis() > SCHEDULE_AHEAD_MS_MAX {
        return Err(FieldError::new("starts_at", Reason::TooFarAhead, "at most two years ahead")
            .param("years", 2_i64)
            .into());
    }
    Ok(())
}

/// Validates the tiers and the currency.
///
/// # Errors
/// 422 naming `prices.tiers` or `prices.currency`.
pub fn check_prices(currency: Currency, prices: PriceList) -> Result<PriceList, ApiError> {
    if prices.currency != currency {
        return Err(FieldError::new(
            "prices.currency",
            Reason::Currency,
            format!("prices must be in {currency}, got {}", prices.currency),
        )
        .param("currency", currency.to_string())
        .into());
    }
    Ok(prices.validate()?)
}

/// General admission sells 1 to 100000 tickets.
///
/// # Errors
/// 422 naming `seating.capacity`.
pub fn check_seating(seating: Seating) -> Result<(), ApiError> {
    match seating {
        Seating::GeneralAdmission { capacity } if !(1..=GENERAL_ADMISSION_CAPACITY_MAX).contains(&capacity) => {
            Err(FieldError::range(
                "seating.capacity",
                1,
                i64::from(GENERAL_ADMISSION_CAPACITY_MAX),
                format!("must be 1 to {GENERAL_ADMISSION_CAPACITY_MAX}, got {capacity}"),
            )
            .into())
        }
        _ => Ok(()),
    }
}

/// When the auditorium is free again.
#[must_use]
pub fn ends_at(starts_at: Timestamp, duration_minutes: u32, buffer_minutes: u32) -> Timestamp {
    starts_at.plus_millis((i64::from(duration_minutes) + i64::from(buffer_minutes)) * MINUTE_MS)
}

/// Turns a storage error of a showtime write into the answer, naming the conflicting
/// showtime and its times for an overlap.
pub async fn write_error(state: &AppState, error: StorageError) -> ApiError {
    let StorageError::Overlap(other_id) = error else {
        return error.into();
    };
    let mut problem = ApiError::from(StorageError::Overlap(other_id)).problem();
    if let Ok(Some(other)) = state.storage.showtime(other_id).await {
        problem.detail = describe_overlap(&other);
        problem = problem.with(
            "conflicting_showtime",
            json!({ "id": other.id, "film_id": other.details.film_id, "starts_at": other.details.starts_at, "ends_at": other.ends_at }),
        );
    }
    problem.into()
}

fn describe_overlap(other: &Showtime) -> String {
    format!(
        "overlaps showtime {} in the same auditorium ({} to {}, cleaning included)",
        other.id, other.details.starts_at, other.ends_at
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_after_duration_and_buffer() {
        let start = Timestamp::from_millis(0);
        assert_eq!(ends_at(start, 120, 15).as_millis(), 135 * MINUTE_MS);
    }

    #[test]
    fn date_is_one_utc_day_and_excludes_from() {
        let q = ShowtimeQuery { date: NaiveDate::from_ymd_opt(2030, 1, 2), ..ShowtimeQuery::default() };
        let (filter, _) = q.parse().expect("valid");
        assert_eq!(filter.from.map(|t| t.to_string()).as_deref(), Some("2030-01-02T00:00:00.000Z"));
        assert_eq!(filter.to.map(|t| t.to_string()).as_deref(), Some("2030-01-03T00:00:00.000Z"));
        let both = ShowtimeQuery {
            date: NaiveDate::from_ymd_opt(2030, 1, 2),
            from: Some(Timestamp::from_millis(0)),
            ..ShowtimeQuery::default()
        };
        assert!(both.parse().is_err());
    }

    #[test]
    fn past_starts_and_big_capacities_are_refused() {
        let now = Timestamp::from_millis(1_000_000);
        assert!(check_start(now, now).is_err());
        assert!(check_start(now, now.plus_millis(1)).is_ok());
        assert!(check_seating(Seating::GeneralAdmission { capacity: 0 }).is_err());
        assert!(check_seating(Seating::GeneralAdmission { capacity: 100_001 }).is_err());
        assert!(check_seating(Seating::Reserved).is_ok());
    }
}
