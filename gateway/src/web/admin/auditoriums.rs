//! Auditoriums in the console: the list, and a grid editor for the seat layout that works
//! without JavaScript: one line per row (its label and one character per position), more
//! rows on demand, and a server-drawn preview of the seat map before saving. Deletion is
//! behind a confirmation (with the cascade when showtimes depend on the room).

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::layout::RowSpec;
use boxoffice_storage::{Auditorium, AuditoriumId, LayoutSpec, PageRequest, SeatLayout};
use maud::{Markup, html};
use serde_json::json;

use super::guard;
use super::widgets::{self, input};
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::forms::FormData;
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area, Tone};
use crate::web::seats::NoticeQuery;

/// Equipment offered as checkboxes.
pub const EQUIPMENT: &[&str] = &["3d", "dolby_atmos", "imax", "laser", "4k", "hearing_loop"];
/// Empty rows a new layout starts with, and how many "add rows" adds.
const ROWS_STEP: usize = 5;
/// Most rows the editor shows.
const ROWS_MAX: usize = 60;

/// The auditorium routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/auditoriums", get(list))
        .route("/admin/auditoriums/new", get(new_form).post(create))
        .route("/admin/auditoriums/{id}", get(edit_form).post(update))
        .route("/admin/auditoriums/{id}/delete", get(delete_form).post(delete))
}

use super::widgets::respond;

async fn list(State(state): State<AppState>, page: Page, Query(notice): Query<NoticeQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let rooms = match state.storage.list_auditoriums(PageRequest { offset: 0, limit: 200 }).await {
        Ok(rooms) => rooms.items,
        Err(error) => return errors::page_for(&page, Area::Admin, &error.into()),
    };
    let body = html! {
        @if let Some(notice) = widgets::saved_notice(&page, &notice.notice) { (notice) }
        p { a class="button" href="/admin/auditoriums/new" { (page.t("admin-auditorium-new")) } }
        div class="table-wrap" {
            table {
                thead { tr {
                    th scope="col" { (page.t("admin-auditorium")) }
                    th scope="col" class="num" { (page.t("admin-capacity")) }
                    th scope="col" { (page.t("admin-equipment")) }
                    th scope="col" { span class="sr-only" { (page.t("admin-actions")) } }
                } }
                tbody {
                    @for room in &rooms {
                        tr {
                            td { a href=(format!("/admin/auditoriums/{}", room.id)) { (room.details.name) } }
                            td class="num" { (room.capacity) }
                            td { (room.details.equipment.join(", ")) }
                            td { a href=(format!("/admin/auditoriums/{}/delete", room.id)) { (page.t("admin-delete")) } }
                        }
                    }
                }
            }
        }
    };
    respond(&page, StatusCode::OK, &page.t("admin-auditoriums-title"), body)
}

/// The rows of the editor as posted (`row_label_N`, `row_seats_N`), blank rows dropped.
#[must_use]
pub fn rows_of(form: &FormData) -> Vec<RowSpec> {
    (0..ROWS_MAX)
        .filter_map(|i| {
            let label = form.get(&format!("row_label_{i}"));
            let seats = form.get(&format!("row_seats_{i}"));
            (!label.is_empty() || !seats.is_empty())
                .then(|| RowSpec { label: label.to_owned(), seats: seats.to_owned() })
        })
        .collect()
}

fn values_of(room: &Auditorium) -> FormData {
    let mut pairs = vec![("name".to_owned(), room.details.name.clone())];
    for (i, row) in room.details.layout.spec().rows.iter().enumerate() {
        pairs.push((format!("row_label_{i}"), row.label.clone()));
        pairs.push((format!("row_seats_{i}"), row.seats.clone()));
    }
    let (listed, other): (Vec<&String>, Vec<&String>) =
        room.details.equipment.iter().partition(|e| EQUIPMENT.contains(&e.as_str()));
    for e in listed {
        pairs.push((format!("equipment_{e}"), "on".to_owned()));
    }
    let other: Vec<&str> = other.into_iter().map(String::as_str).collect();
    pairs.push(("equipment_other".to_owned(), other.join(", ")));
    FormData(pairs)
}

/// A picture of the layout: one small box per position, coloured by seat type.
fn preview(page: &Page, rows: &[RowSpec]) -> Markup {
    let class = |c: char| match c {
        'S' => "seat standard free",
        'P' => "seat premium free",
        'W' => "seat wheelchair free",
        'C' => "seat companion free",
        'L' => "seat loveseat free",
        _ => "",
    };
    html! {
        div class="screen" aria-hidden="true" { (page.t("seats-screen")) }
        div class="seatmap-wrap" role="img" aria-label=(page.t("admin-layout-preview")) {
            @for row in rows {
                div style="display:flex;gap:4px;margin-bottom:4px;justify-content:center" {
                    span class="row-label" style="width:1.5rem" { (row.label) }
                    @for c in row.seats.chars() {
                        @let kind = class(c);
                        @if kind.is_empty() {
                            span style="width:1.9rem;height:1.9rem;display:inline-block" {}
                        } @else {
                            span class=(kind) { span {} }
                        }
                    }
                }
            }
        }
    }
}

fn editor(page: &Page, action: &str, form: &FormData, extra_rows: usize, show_preview: bool) -> Markup {
    let rows = rows_of(form);
    let shown = (rows.len() + extra_rows).clamp(ROWS_STEP, ROWS_MAX);
    html! {
        form method="post" action=(action) {
            (layout::csrf_field(page))
            (input(page, "name", "admin-auditorium-name", "text", form.get("name"), true))
            fieldset {
                legend { (page.t("admin-equipment")) }
                @for e in EQUIPMENT {
                    @let id = format!("equipment_{e}");
                    div {
                        input type="checkbox" id=(id) name=(id) checked[form.checked(&id)];
                        label for=(id) style="display:inline;margin-left:.4rem" { (page.t(&format!("admin-equipment-{e}"))) }
                    }
                }
                (input(page, "equipment_other", "admin-equipment-other", "text", form.get("equipment_other"), false))
            }
            fieldset {
                legend { (page.t("admin-layout")) }
                p class="hint" id="layout-legend" { (page.t("admin-layout-legend")) }
                table class="layout-grid" {
                    thead { tr {
                        th scope="col" { (page.t("admin-row-label")) }
                        th scope="col" { (page.t("admin-row-seats")) }
                    } }
                    tbody {
                        @for i in 0..shown {
                            @let row = rows.get(i);
                            tr {
                                td {
                                    input type="text" name=(format!("row_label_{i}")) maxlength="3" size="3"
                                        value=(row.map_or("", |r| r.label.as_str()))
                                        aria-label=(page.tr.with("admin-row-label-n", &[("n", Arg::Number(i64::try_from(i + 1).unwrap_or(0)))]));
                                }
                                td {
                                    input type="text" name=(format!("row_seats_{i}")) maxlength="100" aria-describedby="layout-legend"
                                        value=(row.map_or("", |r| r.seats.as_str()))
                                        aria-label=(page.tr.with("admin-row-seats-n", &[("n", Arg::Number(i64::try_from(i + 1).unwrap_or(0)))]));
                                }
                            }
                        }
                    }
                }
                div class="actions" {
                    button type="submit" name="action" value="add" class="secondary" { (page.t("admin-add-rows")) }
                    button type="submit" name="action" value="preview" class="secondary" { (page.t("admin-preview")) }
                }
            }
            @if show_preview && !rows.is_empty() {
                @match SeatLayout::parse(LayoutSpec { rows: rows.clone() }) {
                    Ok(layout) => {
                        (layout::notice(Tone::Info, &page.tr.with("admin-capacity-is", &[("count", Arg::Number(i64::try_from(layout.capacity()).unwrap_or(0)))])))
                        (preview(page, &rows))
                    }
                    Err(error) => { (errors::notice(page, &crate::routes::auditoriums::layout_error(&error))) }
                }
            }
            div class="actions" { button type="submit" name="action" value="save" { (page.t("admin-save")) } }
        }
    }
}

async fn new_form(page: Page) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let body = editor(&page, "/admin/auditoriums/new", &FormData::default(), ROWS_STEP, false);
    respond(&page, StatusCode::OK, &page.t("admin-auditorium-new"), body)
}

/// Adds rows, previews, or saves (through the API), as the pressed button says.
async fn submit(
    state: &AppState,
    page: &Page,
    form: FormData,
    method: Method,
    path: &str,
    action: &str,
    title: &str,
) -> Response {
    match form.get("action") {
        "add" => return respond(page, StatusCode::OK, title, editor(page, action, &form, ROWS_STEP, false)),
        "preview" => return respond(page, StatusCode::OK, title, editor(page, action, &form, 0, true)),
        _ => {}
    }
    let mut equipment: Vec<&str> =
        EQUIPMENT.iter().copied().filter(|e| form.checked(&format!("equipment_{e}"))).collect();
    // Equipment the checkboxes do not offer (set through the API) is kept in a text field.
    equipment.extend(form.get("equipment_other").split(',').map(str::trim).filter(|e| !e.is_empty()));
    let rows: Vec<_> = rows_of(&form).into_iter().map(|r| json!({"label": r.label, "seats": r.seats})).collect();
    let body = json!({"name": form.get("name"), "layout": {"rows": rows}, "equipment": equipment});
    match super::api::call(state, page, method, path, Some(body)).await {
        Ok(_) => Redirect::to("/admin/auditoriums?notice=saved").into_response(),
        Err(failure) => {
            // A refused layout is said once, in the notice; otherwise the preview helps.
            let layout_refused = failure.extensions.get("field").and_then(|f| f.as_str()) == Some("layout");
            let preview = !layout_refused;
            let body = html! { (layout::notice(Tone::Error, &failure.message(page))) (editor(page, action, &form, 0, preview)) };
            respond(page, failure.status, title, body)
        }
    }
}

async fn create(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let title = page.t("admin-auditorium-new");
    submit(&state, &page, FormData(form), Method::POST, "/auditoriums", "/admin/auditoriums/new", &title).await
}

async fn load(state: &AppState, page: &Page, raw: &str) -> Result<Auditorium, Response> {
    let Ok(id) = raw.parse::<AuditoriumId>() else { return Err(errors::not_found(page, Area::Admin)) };
    errors::found(page, Area::Admin, state.storage.auditorium(id).await).map_err(|response| *response)
}

async fn edit_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    match load(&state, &page, &raw).await {
        Ok(room) => {
            let body = editor(&page, &format!("/admin/auditoriums/{}", room.id), &values_of(&room), 0, true);
            respond(&page, StatusCode::OK, &room.details.name, body)
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
    let room = match load(&state, &page, &raw).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    let action = format!("/admin/auditoriums/{}", room.id);
    submit(
        &state,
        &page,
        FormData(form),
        Method::PUT,
        &format!("/auditoriums/{}", room.id),
        &action,
        &room.details.name,
    )
    .await
}

async fn delete_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    match load(&state, &page, &raw).await {
        Ok(room) => {
            let question = page.tr.with("admin-auditorium-delete-question", &[("name", Arg::Text(&room.details.name))]);
            let body = widgets::confirm(
                &page,
                &question,
                &format!("/admin/auditoriums/{}/delete", room.id),
                "admin-delete",
                "/admin/auditoriums",
                None,
            );
            respond(&page, StatusCode::OK, &page.t("admin-auditorium-delete"), body)
        }
        Err(response) => response,
    }
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
    let room = match load(&state, &page, &raw).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    match super::films::delete_with_cascade(&state, &page, &format!("/auditoriums/{}", room.id), &FormData(form)).await
    {
        Ok(()) => Redirect::to("/admin/auditoriums?notice=deleted").into_response(),
        Err(failure) => {
            let question = page.tr.with("admin-auditorium-delete-question", &[("name", Arg::Text(&room.details.name))]);
            let body = html! {
                (layout::notice(Tone::Error, &failure.message(&page)))
                (widgets::confirm(&page, &question, &format!("/admin/auditoriums/{}/delete", room.id), "admin-delete", "/admin/auditoriums", (failure.code == "has_dependents").then_some("admin-cascade")))
            };
            respond(&page, failure.status, &page.t("admin-auditorium-delete"), body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_rows_are_read_and_blank_ones_dropped() {
        let form = FormData(
            [
                ("row_label_0", "A"),
                ("row_seats_0", "SS|SS"),
                ("row_label_1", ""),
                ("row_seats_1", ""),
                ("row_label_2", "B"),
                ("row_seats_2", "WC"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let rows = rows_of(&form);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].label.as_str(), rows[1].seats.as_str()), ("B", "WC"));
    }
}
