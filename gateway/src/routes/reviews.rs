//! `/api/v1/films/{id}/reviews` and `/api/v1/reviews/{id}/hide|unhide`: customers rate a
//! film they saw (1 to 5, an optional comment, once per film), everyone reads the visible
//! reviews and their average, staff who manage the catalog hide a review or show it again.
//!
//! Who may review: a customer with a confirmed booking of a showtime of the film that has
//! ended, its start plus the film's running time ([`may_review`]); the web pages call the
//! same functions.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_storage::{
    Account, BookingStatus, CustomerId, FilmId, Page, PageRequest, Review, ReviewId, ReviewSummary, StorageError,
};
use serde::{Deserialize, Serialize};

use crate::auth::{CustomerPrincipal, StaffPrincipal};
use crate::error::{ApiError, Problem};
use crate::extract::{IdPath, Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::state::AppState;

/// Bookings looked through for a qualifying one.
const BOOKINGS_SCANNED_MAX: u32 = 2000;

/// The review routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/films/{id}/reviews", get(list_reviews).post(create_review))
        .route("/reviews/{id}/hide", post(hide_review))
        .route("/reviews/{id}/unhide", post(unhide_review))
}

/// A new review.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// 1 to 5.
    pub rating: u8,
    /// At most 2000 characters.
    #[serde(default)]
    pub comment: String,
}

/// A film's visible reviews and their summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FilmReviews {
    /// How many, and the average rating.
    pub summary: ReviewSummaryView,
    /// A page of reviews, newest first.
    #[schema(value_type = Object)]
    pub reviews: Page<PublicReview>,
}

/// A review as anyone may read it: no customer id (which would tie a person's reviews
/// together), only the name shown with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReview {
    /// Its id (what staff hide it by).
    pub id: boxoffice_storage::ReviewId,
    /// The film reviewed.
    pub film_id: FilmId,
    /// The name shown with it ("Jeanne M.").
    pub author: String,
    /// 1 to 5.
    pub rating: u8,
    /// The comment (may be empty).
    pub comment: String,
    /// When it was written.
    pub created_at: boxoffice_storage::Timestamp,
}

impl From<Review> for PublicReview {
    fn from(r: Review) -> Self {
        Self {
            id: r.id,
            film_id: r.film_id,
            author: r.author,
            rating: r.rating,
            comment: r.comment,
            created_at: r.created_at,
        }
    }
}

/// Count and average (one decimal, `null` without reviews).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ReviewSummaryView {
    /// Visible reviews.
    pub count: u32,
    /// Their average rating, e.g. `4.3`.
    pub average: Option<f64>,
}

impl From<ReviewSummary> for ReviewSummaryView {
    fn from(summary: ReviewSummary) -> Self {
        Self { count: summary.count, average: summary.average_tenths.map(|t| f64::from(t) / 10.0) }
    }
}

fn not_allowed(detail: &str) -> ApiError {
    Problem::new(StatusCode::FORBIDDEN, "review_not_allowed", "Review not allowed", detail).into()
}

/// "Jeanne M.": the name shown with a review.
fn author_of(account: &Account) -> String {
    let initial = account.last_name.chars().next().map(|c| format!(" {c}.")).unwrap_or_default();
    format!("{}{initial}", account.first_name)
}

/// Whether `customer` had a confirmed booking for a showtime of `film` that has ended: its
/// start plus the film's running time is past (the cleaning buffer after it does not count).
///
/// # Errors
/// Storage failures.
pub async fn may_review(state: &AppState, customer: CustomerId, film: FilmId) -> Result<bool, ApiError> {
    let now = state.clock.now();
    let Some(details) = state.storage.film(film).await? else { return Ok(false) };
    let running_ms = i64::from(details.details.duration_minutes) * 60_000;
    let bookings = state.storage.bookings_of_customer(customer, PageRequest { offset: 0, limit: 200 }).await?;
    let mut items = bookings.items;
    let mut offset = 200;
    while u64::from(offset) < bookings.total && offset < BOOKINGS_SCANNED_MAX {
        items.extend(state.storage.bookings_of_customer(customer, PageRequest { offset, limit: 200 }).await?.items);
        offset += 200;
    }
    for booking in items.iter().filter(|b| b.status == BookingStatus::Confirmed) {
        if let Some(showtime) = state.storage.showtime(booking.record.showtime_id).await?
            && showtime.details.film_id == film
            && showtime.details.starts_at.plus_millis(running_ms) <= now
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Stores a customer's review of a film after checking who may write it.
///
/// # Errors
/// 404 for an unknown film, 422 for a bad rating or comment, 403 `review_not_allowed`
/// without an ended showtime booked, 409 `already_reviewed`, storage failures.
pub async fn submit_review(
    state: &AppState,
    customer: CustomerId,
    film: FilmId,
    rating: u8,
    comment: &str,
) -> Result<Review, ApiError> {
    state.storage.film(film).await?.ok_or_else(|| ApiError::not_found("film", film))?;
    let comment = boxoffice_storage::reviews::validate(rating, comment)?;
    if !may_review(state, customer, film).await? {
        return Err(not_allowed(
            "only customers who had a booking for this film can review it, once its showtime ended",
        ));
    }
    let account =
        crate::routes::customers::own_account(state, boxoffice_storage::AccountId::from_uuid(customer.as_uuid()))
            .await?;
    let review = Review {
        id: ReviewId::new(),
        film_id: film,
        customer_id: customer,
        author: author_of(&account),
        rating,
        comment,
        created_at: state.clock.now(),
        hidden: false,
    };
    match state.accounts.insert_review(&review).await {
        Ok(()) => Ok(review),
        Err(StorageError::Duplicate(_)) => {
            Err(ApiError::conflict("already_reviewed", "you already reviewed this film (one review per film)"))
        }
        Err(error) => Err(error.into()),
    }
}

/// A film's visible reviews (newest first) and their summary.
///
/// # Errors
/// 404 for an unknown film, storage failures.
pub async fn film_reviews(
    state: &AppState,
    film: FilmId,
    page: PageRequest,
) -> Result<(ReviewSummary, Page<Review>), ApiError> {
    state.storage.film(film).await?.ok_or_else(|| ApiError::not_found("film", film))?;
    let summary = state.accounts.review_summary(film).await?;
    let reviews = state.accounts.film_reviews(film, false, page).await?;
    Ok((summary, reviews))
}

/// A film's visible reviews.
#[utoipa::path(get, path = "/api/v1/films/{id}/reviews", tag = "reviews",
    params(("id" = FilmId, Path, description = "Film id"), PageParams),
    responses((status = 200, description = "The summary and a page of reviews, newest first", body = FilmReviews),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list_reviews(
    State(state): State<AppState>,
    IdPath(film): IdPath<FilmId>,
    Query(page): Query<PageParams>,
) -> Result<Json<FilmReviews>, ApiError> {
    let (summary, page) = film_reviews(&state, film, page.page()?).await?;
    let reviews = Page {
        items: page.items.into_iter().map(PublicReview::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    };
    Ok(Json(FilmReviews { summary: summary.into(), reviews }))
}

/// Reviews a film (customers who saw it; once per film).
#[utoipa::path(post, path = "/api/v1/films/{id}/reviews", tag = "reviews", request_body = ReviewInput, security(("bearer" = [])),
    params(("id" = FilmId, Path, description = "Film id")),
    responses((status = 201, description = "The review", body = Object),
        (status = 403, description = "`review_not_allowed`: no booking of an ended showtime of this film", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`already_reviewed`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`rating`, `comment`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(film_id = %film))]
pub async fn create_review(
    State(state): State<AppState>,
    CustomerPrincipal(customer): CustomerPrincipal,
    IdPath(film): IdPath<FilmId>,
    Json(input): Json<ReviewInput>,
) -> Result<impl IntoResponse, ApiError> {
    let review = submit_review(&state, customer, film, input.rating, &input.comment).await?;
    Ok((StatusCode::CREATED, Json(review)))
}

async fn set_hidden(state: &AppState, id: ReviewId, hidden: bool) -> Result<StatusCode, ApiError> {
    state.accounts.set_review_hidden(id, hidden).await?;
    tracing::info!(review_id = %id, hidden, "review visibility changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Hides a review (staff who manage the catalog).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/hide", tag = "reviews", security(("bearer" = [])),
    params(("id" = ReviewId, Path, description = "Review id")),
    responses((status = 204, description = "Hidden: not listed, not counted"),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn hide_review(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ReviewId>,
) -> Result<StatusCode, ApiError> {
    set_hidden(&state, id, true).await
}

/// Shows a hidden review again.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/unhide", tag = "reviews", security(("bearer" = [])),
    params(("id" = ReviewId, Path, description = "Review id")),
    responses((status = 204, description = "Visible again"),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn unhide_review(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ReviewId>,
) -> Result<StatusCode, ApiError> {
    set_hidden(&state, id, false).await
}
