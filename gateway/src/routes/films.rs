//! `/api/v1/films`: the film catalog. Reads are public; changes need the staff token.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use boxoffice_storage::{FieldError, Reason};
use boxoffice_storage::{Film, FilmDraft, FilmFilter, FilmId, Page, PageRequest, ShowtimeFilter};
use serde::Deserialize;

use crate::auth::StaffPrincipal;
use crate::error::ApiError;
use crate::extract::{IdPath, Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::routes::dependents::{self, CascadeParams, CascadeReport};
use crate::state::AppState;

/// The film routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/films", get(list_films).post(create_film))
        .route("/films/{id}", get(get_film).put(update_film).delete(delete_film))
}

/// Query of `GET /films`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FilmQuery {
    /// Only films of this genre (e.g. `drama`).
    pub genre: Option<String>,
    /// Only films spoken or subtitled in this language (ISO 639-1, e.g. `fr`).
    pub language: Option<String>,
    /// Only films at most this many minutes long.
    pub max_duration: Option<u32>,
    /// Text search in title, original title, director and cast.
    pub q: Option<String>,
    /// Items to skip.
    pub offset: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

impl FilmQuery {
    fn parse(self) -> Result<(FilmFilter, PageRequest), ApiError> {
        let page = PageParams { offset: self.offset, limit: self.limit }.page()?;
        let text = |field: &'static str, value: Option<String>, max: usize| match value {
            Some(v) if v.trim().is_empty() || v.chars().count() > max => {
                Err(ApiError::from(FieldError::length(field, 1, max)))
            }
            other => Ok(other.map(|v| v.trim().to_owned())),
        };
        let genre = text("genre", self.genre, 50)?.map(|g| g.to_lowercase());
        let q = text("q", self.q, 200)?;
        let language = match self.language {
            Some(l) if l.len() == 2 && l.chars().all(|c| c.is_ascii_alphabetic()) => Some(l.to_ascii_lowercase()),
            Some(_) => {
                return Err(ApiError::invalid(
                    "language",
                    Reason::LanguageCode,
                    "must be a two-letter ISO 639-1 code such as `en`",
                ));
            }
            None => None,
        };
        if let Some(minutes) = self.max_duration.filter(|m| !(1..=600).contains(m)) {
            return Err(
                FieldError::range("max_duration", 1, 600, format!("must be 1 to 600 minutes, got {minutes}")).into()
            );
        }
        Ok((FilmFilter { genre, language, max_duration_minutes: self.max_duration, text: q }, page))
    }
}

/// Lists films, ordered by title.
#[utoipa::path(get, path = "/api/v1/films", tag = "films", params(FilmQuery),
    responses(
        (status = 200, description = "A page of films", body = Page<Film>),
        (status = 400, description = "Malformed query string", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A filter or `limit` out of range", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn list_films(
    State(state): State<AppState>,
    Query(query): Query<FilmQuery>,
) -> Result<Json<Page<Film>>, ApiError> {
    let (filter, page) = query.parse()?;
    Ok(Json(state.storage.list_films(&filter, page).await?))
}

/// Adds a film (staff).
#[utoipa::path(post, path = "/api/v1/films", tag = "films", request_body = FilmDraft, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Film),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_film(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    Json(draft): Json<FilmDraft>,
) -> Result<impl IntoResponse, ApiError> {
    let film = Film { id: FilmId::new(), details: draft.validate()?, created_at: state.clock.now() };
    state.storage.insert_film(&film).await?;
    tracing::info!(film_id = %film.id, "film created");
    let location = format!("/api/v1/films/{}", film.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(film)))
}

/// One film.
#[utoipa::path(get, path = "/api/v1/films/{id}", tag = "films", params(("id" = FilmId, Path, description = "Film id")),
    responses(
        (status = 200, description = "The film", body = Film),
        (status = 400, description = "The id is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such film", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(film_id = %id))]
pub async fn get_film(State(state): State<AppState>, IdPath(id): IdPath<FilmId>) -> Result<Json<Film>, ApiError> {
    let film = state.storage.film(id).await?.ok_or_else(|| ApiError::not_found("film", id))?;
    Ok(Json(film))
}

/// Replaces a film's details (staff). The duration cannot change while showtimes of the film
/// are running or scheduled (409 `showtime_running` or `has_dependents`).
#[utoipa::path(put, path = "/api/v1/films/{id}", tag = "films", request_body = FilmDraft, security(("bearer" = [])),
    params(("id" = FilmId, Path, description = "Film id")),
    responses(
        (status = 200, description = "The updated film", body = Film),
        (status = 404, description = "No such film", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A duration change while showtimes of the film are running or scheduled", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(film_id = %id))]
pub async fn update_film(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<FilmId>,
    Json(draft): Json<FilmDraft>,
) -> Result<Json<Film>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let existing = state.storage.film(id).await?.ok_or_else(|| ApiError::not_found("film", id))?;
    let film = Film { details: draft.validate()?, ..existing.clone() };
    if film.details.duration_minutes != existing.details.duration_minutes {
        // A showtime's end (and so the overlap check of its auditorium) comes from the
        // duration: it may change only while no showtime of the film is running or to come.
        let of_film = ShowtimeFilter { film_id: Some(id), ..ShowtimeFilter::default() };
        dependents::ensure_none_running(&state, of_film.clone(), "the duration cannot change").await?;
        let showtimes = dependents::future_showtimes(&state, of_film).await?;
        if !showtimes.is_empty() {
            let bookings = dependents::confirmed_bookings(&state, &showtimes).await?;
            let mut error = dependents::has_dependents("the film", showtimes.len(), bookings).problem();
            error.detail = format!(
                "the duration cannot change while {} showtime(s) of the film are scheduled: their ends and \
                 the auditoriums' schedules come from it; cancel or delete them first",
                showtimes.len()
            );
            return Err(error.into());
        }
    }
    state.storage.update_film(&film).await?;
    Ok(Json(film))
}

/// Deletes a film (staff). 409 `has_dependents` while it has future scheduled showtimes,
/// unless `cascade=true`, which cancels (and refunds) them first.
#[utoipa::path(delete, path = "/api/v1/films/{id}", tag = "films", security(("bearer" = [])),
    params(("id" = FilmId, Path, description = "Film id"), CascadeParams),
    responses(
        (status = 200, description = "Deleted; what the cascade cancelled", body = CascadeReport),
        (status = 404, description = "No such film", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`has_dependents`: future showtimes exist", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(film_id = %id))]
pub async fn delete_film(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<FilmId>,
    Query(params): Query<CascadeParams>,
) -> Result<Json<CascadeReport>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    state.storage.film(id).await?.ok_or_else(|| ApiError::not_found("film", id))?;
    let of_film = ShowtimeFilter { film_id: Some(id), ..ShowtimeFilter::default() };
    dependents::ensure_none_running(&state, of_film.clone(), "the film cannot be deleted").await?;
    let showtimes =
        dependents::future_showtimes(&state, ShowtimeFilter { film_id: Some(id), ..ShowtimeFilter::default() }).await?;
    if !showtimes.is_empty() && !params.cascade {
        let bookings = dependents::confirmed_bookings(&state, &showtimes).await?;
        return Err(dependents::has_dependents("the film", showtimes.len(), bookings));
    }
    let report = dependents::cancel_all(&state, &showtimes).await?;
    state.storage.delete_film(id, state.clock.now()).await?;
    tracing::info!(showtimes_cancelled = report.showtimes_cancelled, "film deleted");
    Ok(Json(report))
}
