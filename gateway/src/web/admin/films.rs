//! Films in the console: the list, the form to create or edit one (every field of the
//! catalog), and deletion behind a confirmation (with the cascade the API offers when the
//! film still has showtimes).

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::{Film, FilmFilter, FilmId};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::api::{self, ApiFailure};
use super::guard;
use super::widgets::{self, input, input_with_hint};
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area, Tone};
use crate::web::seats::NoticeQuery;

/// The film routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/films", get(list))
        .route("/admin/films/new", get(new_form).post(create))
        .route("/admin/films/{id}", get(edit_form).post(update))
        .route("/admin/films/{id}/delete", get(delete_form).post(delete))
}

use super::widgets::respond;

async fn list(State(state): State<AppState>, page: Page, Query(notice): Query<NoticeQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let films = match crate::web::home::films(&state, &FilmFilter::default()).await {
        Ok(films) => films,
        Err(error) => return errors::page_for(&page, Area::Admin, &error),
    };
    let body = html! {
        @if let Some(notice) = widgets::saved_notice(&page, &notice.notice) { (notice) }
        p { a class="button" href="/admin/films/new" { (page.t("admin-film-new")) } }
        div class="table-wrap" {
            table {
                thead { tr {
                    th scope="col" { (page.t("admin-film-title")) }
                    th scope="col" { (page.t("film-director")) }
                    th scope="col" { (page.t("film-duration")) }
                    th scope="col" { (page.t("film-genres")) }
                    th scope="col" { span class="sr-only" { (page.t("admin-actions")) } }
                } }
                tbody {
                    @for film in &films {
                        tr {
                            td { a href=(format!("/admin/films/{}", film.id)) { (film.details.title) } }
                            td { (film.details.director) }
                            td { (format::duration(film.details.duration_minutes)) }
                            td { (film.details.genres.join(", ")) }
                            td { a href=(format!("/admin/films/{}/delete", film.id)) { (page.t("admin-delete")) } }
                        }
                    }
                }
            }
        }
    };
    respond(&page, StatusCode::OK, &page.t("admin-films-title"), body)
}

/// The form's values: from the film being edited, or as posted.
fn values_of(film: &Film) -> FormData {
    let d = &film.details;
    let pairs = [
        ("title", d.title.clone()),
        ("original_title", d.original_title.clone().unwrap_or_default()),
        ("director", d.director.clone()),
        ("cast", d.cast.join(", ")),
        ("duration_minutes", d.duration_minutes.to_string()),
        ("genres", d.genres.join(", ")),
        ("age_rating", d.age_rating.clone().unwrap_or_default()),
        ("synopsis", d.synopsis.clone()),
        ("poster_url", d.poster_url.clone().unwrap_or_default()),
        ("trailer_url", d.trailer_url.clone().unwrap_or_default()),
        ("spoken_languages", d.spoken_languages.join(", ")),
        ("subtitle_languages", d.subtitle_languages.join(", ")),
        ("release_date", d.release_date.map(|r| r.to_string()).unwrap_or_default()),
    ];
    FormData(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn film_form(page: &Page, action: &str, form: &FormData) -> Markup {
    html! {
        form method="post" action=(action) {
            (layout::csrf_field(page))
            (input(page, "title", "admin-film-title", "text", form.get("title"), true))
            (input(page, "original_title", "admin-film-original-title", "text", form.get("original_title"), false))
            (input(page, "director", "film-director", "text", form.get("director"), true))
            (input_with_hint(page, "cast", "film-cast", form.get("cast"), "admin-comma-hint"))
            (input(page, "duration_minutes", "admin-film-duration", "number", form.get("duration_minutes"), true))
            (input_with_hint(page, "genres", "film-genres", form.get("genres"), "admin-comma-hint"))
            (input(page, "age_rating", "film-rating", "text", form.get("age_rating"), false))
            div class="field" {
                label for="synopsis" { (page.t("admin-film-synopsis")) }
                textarea id="synopsis" name="synopsis" maxlength="10000" { (form.get("synopsis")) }
            }
            (input(page, "poster_url", "admin-film-poster", "text", form.get("poster_url"), false))
            (input(page, "trailer_url", "admin-film-trailer", "text", form.get("trailer_url"), false))
            (input_with_hint(page, "spoken_languages", "film-languages", form.get("spoken_languages"), "admin-languages-hint"))
            (input_with_hint(page, "subtitle_languages", "film-subtitles", form.get("subtitle_languages"), "admin-languages-hint"))
            (input(page, "release_date", "film-release-date", "date", form.get("release_date"), false))
            div class="actions" { button type="submit" { (page.t("admin-save")) } }
        }
    }
}

/// The API body of a posted film form, or the message id of a field that is not a number.
///
/// # Errors
/// `admin-bad-duration` when the duration is not a whole number.
pub fn film_body(form: &FormData) -> Result<Value, &'static str> {
    let duration: u32 = form.get("duration_minutes").parse().map_err(|_| "admin-bad-duration")?;
    let text = |name: &str| form.optional(name).map_or(Value::Null, Value::String);
    Ok(json!({
        "title": form.get("title"),
        "original_title": text("original_title"),
        "director": form.get("director"),
        "cast": widgets::list(form.get("cast")),
        "duration_minutes": duration,
        "genres": widgets::list(form.get("genres")),
        "age_rating": text("age_rating"),
        "synopsis": form.get("synopsis"),
        "poster_url": text("poster_url"),
        "trailer_url": text("trailer_url"),
        "spoken_languages": widgets::list(form.get("spoken_languages")),
        "subtitle_languages": widgets::list(form.get("subtitle_languages")),
        "release_date": text("release_date"),
    }))
}

async fn new_form(page: Page) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    respond(
        &page,
        StatusCode::OK,
        &page.t("admin-film-new"),
        film_form(&page, "/admin/films/new", &FormData::default()),
    )
}

/// Posts the form to the API; the film's page on success, the form with the error otherwise.
async fn save(
    state: &AppState,
    page: &Page,
    form: FormData,
    method: Method,
    path: &str,
    action: &str,
    title: &str,
) -> Response {
    let refused = |status: StatusCode, message: String, form: &FormData| {
        respond(page, status, title, html! { (layout::notice(Tone::Error, &message)) (film_form(page, action, form)) })
    };
    let body = match film_body(&form) {
        Ok(body) => body,
        Err(id) => return refused(StatusCode::UNPROCESSABLE_ENTITY, page.t(id), &form),
    };
    match api::call(state, page, method, path, Some(body)).await {
        Ok(_) => Redirect::to("/admin/films?notice=saved").into_response(),
        Err(failure) => refused(failure.status, failure.message(page), &form),
    }
}

async fn create(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let title = page.t("admin-film-new");
    save(&state, &page, FormData(form), Method::POST, "/films", "/admin/films/new", &title).await
}

async fn load(state: &AppState, page: &Page, raw: &str) -> Result<Film, Response> {
    let Ok(id) = raw.parse::<FilmId>() else { return Err(errors::not_found(page, Area::Admin)) };
    errors::found(page, Area::Admin, state.storage.film(id).await).map_err(|response| *response)
}

async fn edit_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    match load(&state, &page, &raw).await {
        Ok(film) => {
            let action = format!("/admin/films/{}", film.id);
            respond(&page, StatusCode::OK, &film.details.title, film_form(&page, &action, &values_of(&film)))
        }
        Err(response) => response,
    }
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let film = match load(&state, &page, &raw).await {
        Ok(film) => film,
        Err(response) => return response,
    };
    let action = format!("/admin/films/{}", film.id);
    save(&state, &page, FormData(form), Method::PUT, &format!("/films/{}", film.id), &action, &film.details.title).await
}

async fn delete_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    match load(&state, &page, &raw).await {
        Ok(film) => {
            let question = page.tr.with("admin-film-delete-question", &[("title", Arg::Text(&film.details.title))]);
            let body = widgets::confirm(
                &page,
                &question,
                &format!("/admin/films/{}/delete", film.id),
                "admin-delete",
                "/admin/films",
                None,
            );
            respond(&page, StatusCode::OK, &page.t("admin-film-delete"), body)
        }
        Err(response) => response,
    }
}

/// Deletes through the API; a refusal because of dependents offers the cascade.
pub async fn delete_with_cascade(
    state: &AppState,
    page: &Page,
    api_path: &str,
    form: &FormData,
) -> Result<(), ApiFailure> {
    let path = if form.checked("cascade") { format!("{api_path}?cascade=true") } else { api_path.to_owned() };
    api::call(state, page, Method::DELETE, &path, None).await.map(|_| ())
}

async fn delete(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let film = match load(&state, &page, &raw).await {
        Ok(film) => film,
        Err(response) => return response,
    };
    match delete_with_cascade(&state, &page, &format!("/films/{}", film.id), &FormData(form)).await {
        Ok(()) => Redirect::to("/admin/films?notice=deleted").into_response(),
        Err(failure) => {
            let question = page.tr.with("admin-film-delete-question", &[("title", Arg::Text(&film.details.title))]);
            let cascade = failure.code == "has_dependents";
            let body = html! {
                (layout::notice(Tone::Error, &failure.message(&page)))
                (widgets::confirm(&page, &question, &format!("/admin/films/{}/delete", film.id), "admin-delete", "/admin/films", cascade.then_some("admin-cascade")))
            };
            respond(&page, failure.status, &page.t("admin-film-delete"), body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_body() {
        let form = FormData(
            [
                ("title", "Night"),
                ("director", "A"),
                ("duration_minutes", "104"),
                ("cast", "X, Y"),
                ("release_date", ""),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let body = film_body(&form).expect("valid");
        assert_eq!(body["duration_minutes"], 104);
        assert_eq!(body["cast"], json!(["X", "Y"]));
        assert_eq!(body["release_date"], Value::Null);
        let bad = FormData(vec![("duration_minutes".into(), "long".into())]);
        assert_eq!(film_body(&bad), Err("admin-bad-duration"));
    }
}
