//! Showtimes in the console: a week per auditorium (seven columns in the cinema's time
//! zone), the form to schedule one (film, room, local date and time, version, format,
//! seating, price tiers; an overlap is shown on the form), cancellation (every booking
//! refunded) and deletion, each behind a confirmation.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::{AuditoriumId, FilmFilter, PageRequest, ShowtimeId, Timestamp};
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::guard;
use super::widgets;
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::home::{format_name, version_name};
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area, Tone};
use crate::web::seats::ShowtimeInfo;

/// The tiers a new showtime's form starts with: `(name, price in major units)`.
const DEFAULT_TIERS: &[(&str, &str)] =
    &[("full", "12.50"), ("reduced", "9.90"), ("student", "8.50"), ("child", "7.00"), ("senior", "9.00")];
/// Tier rows on the form.
const TIER_ROWS: usize = 6;

/// The showtime routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/showtimes", get(week))
        .route("/admin/showtimes/new", get(new_form).post(create))
        .route("/admin/showtimes/{id}", get(edit_form).post(update))
        .route("/admin/showtimes/{id}/cancel", get(cancel_form).post(cancel))
        .route("/admin/showtimes/{id}/delete", get(delete_form).post(delete))
}

use super::widgets::respond;

/// `?auditorium=&week=YYYY-MM-DD&notice=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WeekQuery {
    auditorium: String,
    week: String,
    notice: String,
}

/// `12.50`, `12,50` or `12` → minor units.
///
/// `None` for anything else, or more than two decimals.
#[must_use]
pub fn parse_price(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (units, cents) = text.split_once('.').unwrap_or((&text, ""));
    if units.is_empty()
        || !units.bytes().all(|b| b.is_ascii_digit())
        || cents.len() > 2
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let cents: i64 = if cents.is_empty() { 0 } else { format!("{cents:0<2}").parse().ok()? };
    units.checked_mul(100).and_then(|u| u.checked_add(cents))
}

/// A local date and time in `tz` → the instant (the earlier one when clocks go back; `None`
/// in a gap when clocks go forward).
#[must_use]
pub fn local_to_utc(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<Timestamp> {
    date.and_time(time).and_local_timezone(tz).earliest().map(|t| Timestamp::from_millis(t.timestamp_millis()))
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday()))).unwrap_or(date)
}

async fn week(State(state): State<AppState>, page: Page, Query(q): Query<WeekQuery>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let rooms = match state.storage.list_auditoriums(PageRequest { offset: 0, limit: 200 }).await {
        Ok(rooms) => rooms.items,
        Err(error) => return errors::page_for(&page, Area::Admin, &error.into()),
    };
    let today = format::local(page.tz, state.clock.now()).date_naive();
    let monday = monday_of(NaiveDate::parse_from_str(&q.week, "%Y-%m-%d").unwrap_or(today));
    let room =
        q.auditorium.parse::<AuditoriumId>().ok().and_then(|id| rooms.iter().find(|r| r.id == id)).or(rooms.first());
    let start = local_to_utc(page.tz, monday, NaiveTime::MIN).unwrap_or(Timestamp::from_millis(0));
    let end =
        local_to_utc(page.tz, monday.checked_add_days(Days::new(7)).unwrap_or(monday), NaiveTime::MIN).unwrap_or(start);
    let mut showtimes = Vec::new();
    if let Some(room) = room {
        let filter = boxoffice_storage::ShowtimeFilter {
            auditorium_id: Some(room.id),
            from: Some(start),
            to: Some(end),
            ..Default::default()
        };
        match state.storage.list_showtimes(&filter, PageRequest { offset: 0, limit: 200 }).await {
            Ok(page) => showtimes = page.items,
            Err(error) => return errors::page_for(&page, Area::Admin, &error.into()),
        }
    }
    let films = crate::web::home::films(&state, &FilmFilter::default()).await.unwrap_or_default();
    let title_of = |id| films.iter().find(|f| f.id == id).map_or("?", |f| f.details.title.as_str());
    let room_param = room.map(|r| r.id.to_string()).unwrap_or_default();
    let shift = |days: i64| {
        let date = if days < 0 { monday.checked_sub_days(Days::new(7)) } else { monday.checked_add_days(Days::new(7)) };
        format!("/admin/showtimes?auditorium={room_param}&week={}", date.unwrap_or(monday))
    };
    let body = html! {
        @if let Some(notice) = widgets::saved_notice(&page, &q.notice) { (notice) }
        form method="get" action="/admin/showtimes" class="filters" {
            div class="field" {
                label for="auditorium" { (page.t("admin-auditorium")) }
                select id="auditorium" name="auditorium" {
                    @for r in &rooms { option value=(r.id) selected[Some(r.id) == room.map(|x| x.id)] { (r.details.name) } }
                }
            }
            div class="field" {
                label for="week" { (page.t("admin-week-of")) }
                input type="date" id="week" name="week" value=(monday.to_string());
            }
            div class="field" { button type="submit" { (page.t("admin-show")) } }
        }
        div class="actions" {
            a href=(shift(-1)) { (page.t("admin-previous-week")) }
            a href=(shift(1)) { (page.t("admin-next-week")) }
            a class="button" href="/admin/showtimes/new" { (page.t("admin-showtime-new")) }
        }
        div class="week" {
            @for offset in 0..7_u64 {
                @let day = monday.checked_add_days(Days::new(offset)).unwrap_or(monday);
                section class="col" aria-label=(format::day(page.language(), day)) {
                    h2 style="font-size:.95rem;margin:0 0 .3rem" { (format::day(page.language(), day)) }
                    @for s in showtimes.iter().filter(|s| format::local(page.tz, s.details.starts_at).date_naive() == day) {
                        div class="slot" {
                            strong { (format::time(page.tz, s.details.starts_at)) "–" (format::time(page.tz, s.ends_at)) }
                            br; (title_of(s.details.film_id))
                            br; span class="meta" { (version_name(s.details.version)) " " (format_name(s.details.format)) }
                            @if s.status == boxoffice_storage::ShowtimeStatus::Cancelled {
                                br; em { (page.t("admin-cancelled-label")) }
                            } @else {
                                br; a href=(format!("/admin/showtimes/{}", s.id)) { (page.t("admin-edit")) }
                                " · " a href=(format!("/admin/box-office/{}", s.id)) { (page.t("admin-nav-box-office")) }
                                " · " a href=(format!("/admin/showtimes/{}/cancel", s.id)) { (page.t("admin-cancel-showtime")) }
                            }
                            " · " a href=(format!("/admin/showtimes/{}/delete", s.id)) { (page.t("admin-delete")) }
                        }
                    }
                }
            }
        }
    };
    respond(&page, StatusCode::OK, &page.t("admin-showtimes-title"), body)
}

/// The new-showtime form, or (with `editing`) the form to reschedule a showtime and change
/// its version, format and prices (its film, room and seating stay).
async fn showtime_form(state: &AppState, page: &Page, form: &FormData, editing: Option<ShowtimeId>) -> Markup {
    let films = crate::web::home::films(state, &FilmFilter::default()).await.unwrap_or_default();
    let rooms = state
        .storage
        .list_auditoriums(PageRequest { offset: 0, limit: 200 })
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let fresh = form.0.is_empty();
    let chosen = |name: &str, value: &str| form.get(name) == value;
    html! {
        form method="post" action=(editing.map_or_else(|| "/admin/showtimes/new".to_owned(), |id| format!("/admin/showtimes/{id}"))) {
            (layout::csrf_field(page))
            @if editing.is_none() {
            div class="field" {
                label for="film_id" { (page.t("bookings-film")) " *" }
                select id="film_id" name="film_id" required {
                    @for f in &films { option value=(f.id) selected[chosen("film_id", &f.id.to_string())] { (f.details.title) } }
                }
            }
            div class="field" {
                label for="auditorium_id" { (page.t("admin-auditorium")) " *" }
                select id="auditorium_id" name="auditorium_id" required {
                    @for r in &rooms { option value=(r.id) selected[chosen("auditorium_id", &r.id.to_string())] { (r.details.name) " (" (r.capacity) ")" } }
                }
            }
            }
            (widgets::input(page, "date", "filter-date", "date", form.get("date"), true))
            (widgets::input(page, "time", "admin-time", "time", form.get("time"), true))
            div class="field" {
                label for="version" { (page.t("filter-version")) }
                select id="version" name="version" {
                    @for v in ["VF", "VO", "VOST"] { option value=(v) selected[chosen("version", v)] { (v) } }
                }
            }
            div class="field" {
                label for="format" { (page.t("filter-format")) }
                select id="format" name="format" {
                    option value="2d" selected[chosen("format", "2d")] { "2D" }
                    option value="3d" selected[chosen("format", "3d")] { "3D" }
                }
            }
            @if editing.is_none() {
            fieldset {
                legend { (page.t("admin-seating")) }
                div {
                    input type="radio" id="seating_reserved" name="seating" value="reserved" checked[fresh || chosen("seating", "reserved")];
                    label for="seating_reserved" style="display:inline;margin-left:.4rem" { (page.t("admin-seating-reserved")) }
                }
                div {
                    input type="radio" id="seating_ga" name="seating" value="general_admission" checked[chosen("seating", "general_admission")];
                    label for="seating_ga" style="display:inline;margin-left:.4rem" { (page.t("admin-seating-ga")) }
                }
                (widgets::input(page, "capacity", "admin-ga-capacity", "number", form.get("capacity"), false))
            }
            }
            fieldset {
                legend { (page.t("admin-price-tiers")) }
                table {
                    thead { tr { th scope="col" { (page.t("admin-tier-name")) } th scope="col" { (page.t("admin-tier-price")) } } }
                    tbody {
                        @for i in 0..TIER_ROWS {
                            @let (name, price) = if fresh { DEFAULT_TIERS.get(i).map_or(("", ""), |t| (t.0, t.1)) } else { (form.get(&format!("tier_{i}")), form.get(&format!("price_{i}"))) };
                            tr {
                                td { input type="text" name=(format!("tier_{i}")) value=(name) maxlength="20" aria-label=(page.tr.with("admin-tier-name-n", &[("n", Arg::Number(i64::try_from(i + 1).unwrap_or(0)))])); }
                                td { input type="text" inputmode="decimal" name=(format!("price_{i}")) value=(price) maxlength="10" aria-label=(page.tr.with("admin-tier-price-n", &[("n", Arg::Number(i64::try_from(i + 1).unwrap_or(0)))])); }
                            }
                        }
                    }
                }
            }
            div class="actions" { button type="submit" { (page.t("admin-save")) } }
        }
    }
}

async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let body = showtime_form(&state, &page, &FormData::default(), None).await;
    respond(&page, StatusCode::OK, &page.t("admin-showtime-new"), body)
}

/// The API body of a posted showtime form, or the message id of the field that is wrong.
///
/// # Errors
/// A date, time, capacity or price that does not parse; a local time that does not exist.
pub fn showtime_body(form: &FormData, tz: Tz, currency: &str) -> Result<Value, &'static str> {
    let date = NaiveDate::parse_from_str(form.get("date"), "%Y-%m-%d").map_err(|_| "filter-bad-date")?;
    let time = NaiveTime::parse_from_str(form.get("time"), "%H:%M").map_err(|_| "admin-bad-time")?;
    let starts_at = local_to_utc(tz, date, time).ok_or("admin-bad-time")?;
    let mut tiers = Vec::new();
    for i in 0..TIER_ROWS {
        let (name, price) = (form.get(&format!("tier_{i}")), form.get(&format!("price_{i}")));
        if name.is_empty() && price.is_empty() {
            continue;
        }
        let minor = parse_price(price).ok_or("admin-bad-price")?;
        tiers.push(json!({"tier": name, "price_minor": minor}));
    }
    let seating = if form.get("seating") == "general_admission" {
        let capacity: u32 = form.get("capacity").parse().map_err(|_| "admin-bad-capacity")?;
        json!({"kind": "general_admission", "capacity": capacity})
    } else {
        json!({"kind": "reserved"})
    };
    Ok(json!({
        "film_id": form.get("film_id"), "auditorium_id": form.get("auditorium_id"), "starts_at": starts_at,
        "version": form.get("version"), "format": form.get("format"),
        "prices": {"currency": currency, "tiers": tiers}, "seating": seating,
    }))
}

async fn create(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let form = FormData(form);
    let title = page.t("admin-showtime-new");
    let message = match showtime_body(&form, page.tz, state.currency().as_str()) {
        Ok(body) => match super::api::call(&state, &page, Method::POST, "/showtimes", Some(body)).await {
            Ok(_) => {
                let week = form.get("date");
                let room = form.get("auditorium_id");
                return Redirect::to(&format!("/admin/showtimes?auditorium={room}&week={week}&notice=saved"))
                    .into_response();
            }
            Err(failure) => (failure.status, failure.message(&page)),
        },
        Err(id) => (StatusCode::UNPROCESSABLE_ENTITY, page.t(id)),
    };
    let body = html! { (layout::notice(Tone::Error, &message.1)) (showtime_form(&state, &page, &form, None).await) };
    respond(&page, message.0, &title, body)
}

/// The form values of an existing showtime (local date and time, tiers in major units).
fn values_of(info: &ShowtimeInfo, tz: Tz) -> FormData {
    let d = &info.showtime.details;
    let local = format::local(tz, d.starts_at);
    let mut pairs = vec![
        ("date".to_owned(), local.date_naive().to_string()),
        ("time".to_owned(), local.time().format("%H:%M").to_string()),
        ("version".to_owned(), version_name(d.version).to_owned()),
        ("format".to_owned(), format_name(d.format).to_lowercase()),
    ];
    for (i, tier) in d.prices.tiers.iter().enumerate() {
        pairs.push((format!("tier_{i}"), tier.tier.clone()));
        pairs.push((format!("price_{i}"), format!("{}.{:02}", tier.price_minor / 100, tier.price_minor % 100)));
    }
    FormData(pairs)
}

async fn edit_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    match ShowtimeInfo::load(&state, id).await {
        Ok(info) => {
            let body = html! {
                p { (info.film.details.title) " · " (info.auditorium.details.name) }
                (showtime_form(&state, &page, &values_of(&info, page.tz), Some(id)).await)
            };
            respond(&page, StatusCode::OK, &page.t("admin-showtime-edit"), body)
        }
        Err(error) => errors::page_for(&page, Area::Admin, &error),
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
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    let form = FormData(form);
    let outcome = match showtime_body(&form, page.tz, state.currency().as_str()) {
        Ok(mut body) => {
            if let Some(fields) = body.as_object_mut() {
                for fixed in ["film_id", "auditorium_id", "seating"] {
                    fields.remove(fixed);
                }
            }
            super::api::call(&state, &page, Method::PATCH, &format!("/showtimes/{id}"), Some(body))
                .await
                .map_err(|f| (f.status, f.message(&page)))
        }
        Err(message) => Err((StatusCode::UNPROCESSABLE_ENTITY, page.t(message))),
    };
    match outcome {
        Ok(_) => {
            let room = state
                .storage
                .showtime(id)
                .await
                .ok()
                .flatten()
                .map(|s| s.details.auditorium_id.to_string())
                .unwrap_or_default();
            Redirect::to(&format!("/admin/showtimes?auditorium={room}&week={}&notice=saved", form.get("date")))
                .into_response()
        }
        Err((status, message)) => {
            let body =
                html! { (layout::notice(Tone::Error, &message)) (showtime_form(&state, &page, &form, Some(id)).await) };
            respond(&page, status, &page.t("admin-showtime-edit"), body)
        }
    }
}

async fn cancel_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    match ShowtimeInfo::load(&state, id).await {
        Ok(info) => {
            let question = page.tr.with("admin-cancel-question", &[("showtime", Arg::Text(&info.title(&page)))]);
            let body = widgets::confirm(
                &page,
                &question,
                &format!("/admin/showtimes/{id}/cancel"),
                "admin-cancel-showtime",
                "/admin/showtimes",
                None,
            );
            respond(&page, StatusCode::OK, &page.t("admin-cancel-showtime"), body)
        }
        Err(error) => errors::page_for(&page, Area::Admin, &error),
    }
}

async fn cancel(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    match super::api::call(&state, &page, Method::POST, &format!("/showtimes/{id}/cancel"), None).await {
        Ok(_) => Redirect::to("/admin/showtimes?notice=cancelled").into_response(),
        Err(failure) => {
            layout::message_page(&page, Area::Admin, failure.status, &page.t("error-title"), &failure.message(&page))
        }
    }
}

/// The deletion question of a showtime, as a confirmation form (with the cascade box once
/// the API said bookings depend on it).
fn delete_confirmation(page: &Page, info: &ShowtimeInfo, cascade: bool) -> Markup {
    let question = page.tr.with("admin-showtime-delete-question", &[("showtime", Arg::Text(&info.title(page)))]);
    widgets::confirm(
        page,
        &question,
        &format!("/admin/showtimes/{}/delete", info.showtime.id),
        "admin-delete",
        &format!("/admin/showtimes?auditorium={}", info.auditorium.id),
        cascade.then_some("admin-cascade-bookings"),
    )
}

async fn delete_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    match ShowtimeInfo::load(&state, id).await {
        Ok(info) => {
            respond(&page, StatusCode::OK, &page.t("admin-showtime-delete"), delete_confirmation(&page, &info, false))
        }
        Err(error) => errors::page_for(&page, Area::Admin, &error),
    }
}

/// Deletes through the API; a refusal because of confirmed bookings offers to cancel and
/// refund them first.
async fn delete(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    let info = match ShowtimeInfo::load(&state, id).await {
        Ok(info) => info,
        Err(error) => return errors::page_for(&page, Area::Admin, &error),
    };
    match super::films::delete_with_cascade(&state, &page, &format!("/showtimes/{id}"), &FormData(form)).await {
        Ok(()) => {
            let week = format::local(page.tz, info.showtime.details.starts_at).date_naive();
            let next = format!("/admin/showtimes?auditorium={}&week={week}&notice=deleted", info.auditorium.id);
            Redirect::to(&next).into_response()
        }
        Err(failure) => {
            let body = html! {
                (layout::notice(Tone::Error, &failure.message(&page)))
                (delete_confirmation(&page, &info, failure.code == "has_dependents"))
            };
            respond(&page, failure.status, &page.t("admin-showtime-delete"), body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_local_times_are_read() {
        assert_eq!(parse_price("12.50"), Some(1250));
        assert_eq!(parse_price("12,5"), Some(1250));
        assert_eq!(parse_price("9"), Some(900));
        assert!(
            parse_price("1.234").is_none()
                && parse_price("abc").is_none()
                && parse_price("-1").is_none()
                && parse_price("").is_none()
        );
        let date = NaiveDate::from_ymd_opt(2026, 12, 24).expect("date");
        let time = NaiveTime::from_hms_opt(20, 30, 0).expect("time");
        let utc = local_to_utc(chrono_tz::Europe::Paris, date, time).expect("exists");
        assert_eq!(utc.to_datetime().to_rfc3339(), "2026-12-24T19:30:00+00:00");
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
        assert_eq!(local_to_utc(chrono_tz::Europe::Paris, gap, NaiveTime::from_hms_opt(2, 30, 0).expect("t")), None);
    }
}
