//! `/api/v1/auditoriums`: screens and their seat layouts. Reads are public; changes need the
//! staff token. A layout is `{"rows":[{"label":"A","seats":"SS_SSPP|WC"}]}`; a bad layout is
//! 422 `validation_failed` naming the row and position.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use boxoffice_storage::layout::{LayoutError, ROW_POSITIONS_MAX, ROWS_MAX, SEATS_MAX};
use boxoffice_storage::{
    Auditorium, AuditoriumDraft, AuditoriumId, LayoutSpec, Page, PageRequest, SeatLayout, ShowtimeFilter,
};
use boxoffice_storage::{FieldError, Reason};
use serde::Deserialize;

use crate::auth::StaffPrincipal;
use crate::error::{ApiError, Problem};
use crate::extract::{IdPath, Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::routes::dependents::{self, CascadeParams, CascadeReport};
use crate::state::AppState;

/// The auditorium routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auditoriums", get(list_auditoriums).post(create_auditorium))
        .route("/auditoriums/{id}", get(get_auditorium).put(update_auditorium).delete(delete_auditorium))
}

/// An auditorium as submitted: the layout is checked here so errors name the row.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditoriumInput {
    /// Name (e.g. `Salle 1`), 1 to 100 characters.
    pub name: String,
    /// Rows from the screen backwards; see `docs/api.md` for the seat characters.
    pub layout: LayoutSpec,
    /// Equipment: `3d`, `dolby_atmos`, `imax`, `laser`, ...
    #[serde(default)]
    pub equipment: Vec<String>,
}

impl AuditoriumInput {
    fn validate(self) -> Result<(AuditoriumDraft, u32), ApiError> {
        let layout = SeatLayout::parse(self.layout).map_err(|e| layout_error(&e))?;
        let capacity =
            u32::try_from(layout.capacity()).map_err(|_| layout_error(&LayoutError::TooLarge(String::new())))?;
        let draft = AuditoriumDraft { name: self.name, layout, equipment: self.equipment }.validate()?;
        Ok((draft, capacity))
    }
}

/// The 422 for a layout that does not parse: its reason code, parameters and English words.
/// A layout refusal as the 422 naming the row, position or seat (the console shows it translated).
pub(crate) fn layout_error(e: &LayoutError) -> ApiError {
    let error = match e {
        LayoutError::Empty => FieldError::new("layout", Reason::LayoutEmpty, e.to_string()),
        LayoutError::TooLarge(_) => FieldError::new("layout", Reason::LayoutTooLarge, e.to_string())
            .param("rows", ROWS_MAX)
            .param("positions", ROW_POSITIONS_MAX)
            .param("seats", SEATS_MAX),
        LayoutError::BadRowLabel(row) => {
            FieldError::new("layout", Reason::LayoutRowLabel, e.to_string()).param("row", row.as_str())
        }
        LayoutError::BadChar { row, ch, position } => FieldError::new("layout", Reason::LayoutChar, e.to_string())
            .param("row", row.as_str())
            .param("char", ch.to_string())
            .param("position", *position),
        LayoutError::DuplicateSeatLabel(label) => {
            FieldError::new("layout", Reason::LayoutDuplicateSeat, e.to_string()).param("label", label.as_str())
        }
        LayoutError::UnpairedLoveseat { row, position } => {
            FieldError::new("layout", Reason::LayoutLoveseat, e.to_string())
                .param("row", row.as_str())
                .param("position", *position)
        }
    };
    error.into()
}

/// Lists auditoriums by name.
#[utoipa::path(get, path = "/api/v1/auditoriums", tag = "auditoriums", params(PageParams),
    responses(
        (status = 200, description = "A page of auditoriums", body = Page<Auditorium>),
        (status = 422, description = "`limit` out of range", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn list_auditoriums(
    State(state): State<AppState>,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<Auditorium>>, ApiError> {
    Ok(Json(state.storage.list_auditoriums(params.page()?).await?))
}

/// Adds an auditorium (staff).
#[utoipa::path(post, path = "/api/v1/auditoriums", tag = "auditoriums", request_body = AuditoriumInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created, with its `capacity`", body = Auditorium),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or layout (names the row and position)", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_auditorium(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    Json(input): Json<AuditoriumInput>,
) -> Result<impl IntoResponse, ApiError> {
    let (details, capacity) = input.validate()?;
    let auditorium = Auditorium { id: AuditoriumId::new(), details, capacity };
    state.storage.insert_auditorium(&auditorium).await?;
    tracing::info!(auditorium_id = %auditorium.id, capacity, "auditorium created");
    let location = format!("/api/v1/auditoriums/{}", auditorium.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(auditorium)))
}

/// One auditorium.
#[utoipa::path(get, path = "/api/v1/auditoriums/{id}", tag = "auditoriums", params(("id" = AuditoriumId, Path, description = "Auditorium id")),
    responses(
        (status = 200, description = "The auditorium", body = Auditorium),
        (status = 400, description = "The id is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such auditorium", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(auditorium_id = %id))]
pub async fn get_auditorium(
    State(state): State<AppState>,
    IdPath(id): IdPath<AuditoriumId>,
) -> Result<Json<Auditorium>, ApiError> {
    let auditorium = state.storage.auditorium(id).await?.ok_or_else(|| ApiError::not_found("auditorium", id))?;
    Ok(Json(auditorium))
}

/// 409 `layout_in_use` while any showtime (scheduled, past or cancelled; deleted ones do
/// not count) is in the auditorium: a showtime's seat map, journal and tickets refer to
/// the seats of the layout it was sold on, and are rebuilt from it after every restart.
async fn ensure_layout_unused(state: &AppState, id: AuditoriumId) -> Result<(), ApiError> {
    let filter = ShowtimeFilter { auditorium_id: Some(id), include_cancelled: true, ..ShowtimeFilter::default() };
    let page = state.storage.list_showtimes(&filter, PageRequest { offset: 0, limit: 1 }).await?;
    match page.items.first() {
        Some(showtime) => Err(Problem::new(
            StatusCode::CONFLICT,
            "layout_in_use",
            "Layout in use",
            format!(
                "the layout cannot change: showtime {} (and maybe others) uses it; delete the showtimes \
                 that have not been sold, or create a new auditorium for the new layout",
                showtime.id
            ),
        )
        .with("showtime_id", showtime.id.to_string())
        .into()),
        None => Ok(()),
    }
}

/// Replaces an auditorium (staff). The layout cannot change once a showtime uses it
/// (409 `layout_in_use`); the name and equipment can.
#[utoipa::path(put, path = "/api/v1/auditoriums/{id}", tag = "auditoriums", request_body = AuditoriumInput, security(("bearer" = [])),
    params(("id" = AuditoriumId, Path, description = "Auditorium id")),
    responses(
        (status = 200, description = "The updated auditorium", body = Auditorium),
        (status = 404, description = "No such auditorium", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`layout_in_use`: a layout change while showtimes use the layout", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or layout", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(auditorium_id = %id))]
pub async fn update_auditorium(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<AuditoriumId>,
    Json(input): Json<AuditoriumInput>,
) -> Result<Json<Auditorium>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    let existing = state.storage.auditorium(id).await?.ok_or_else(|| ApiError::not_found("auditorium", id))?;
    let (details, capacity) = input.validate()?;
    if details.layout != existing.details.layout {
        ensure_layout_unused(&state, id).await?;
    }
    let auditorium = Auditorium { id, details, capacity };
    state.storage.update_auditorium(&auditorium).await?;
    Ok(Json(auditorium))
}

/// Deletes an auditorium (staff). 409 `has_dependents` while it has future scheduled
/// showtimes, unless `cascade=true`, which cancels (and refunds) them first.
#[utoipa::path(delete, path = "/api/v1/auditoriums/{id}", tag = "auditoriums", security(("bearer" = [])),
    params(("id" = AuditoriumId, Path, description = "Auditorium id"), CascadeParams),
    responses(
        (status = 200, description = "Deleted; what the cascade cancelled", body = CascadeReport),
        (status = 404, description = "No such auditorium", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`has_dependents`: future showtimes exist", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(auditorium_id = %id))]
pub async fn delete_auditorium(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<AuditoriumId>,
    Query(params): Query<CascadeParams>,
) -> Result<Json<CascadeReport>, ApiError> {
    let _catalog = state.catalog_changes.lock().await;
    state.storage.auditorium(id).await?.ok_or_else(|| ApiError::not_found("auditorium", id))?;
    let in_auditorium = ShowtimeFilter { auditorium_id: Some(id), ..ShowtimeFilter::default() };
    dependents::ensure_none_running(&state, in_auditorium, "the auditorium cannot be deleted").await?;
    let showtimes =
        dependents::future_showtimes(&state, ShowtimeFilter { auditorium_id: Some(id), ..ShowtimeFilter::default() })
            .await?;
    if !showtimes.is_empty() && !params.cascade {
        let bookings = dependents::confirmed_bookings(&state, &showtimes).await?;
        return Err(dependents::has_dependents("the auditorium", showtimes.len(), bookings));
    }
    let report = dependents::cancel_all(&state, &showtimes).await?;
    state.storage.delete_auditorium(id, state.clock.now()).await?;
    tracing::info!(showtimes_cancelled = report.showtimes_cancelled, "auditorium deleted");
    Ok(Json(report))
}
