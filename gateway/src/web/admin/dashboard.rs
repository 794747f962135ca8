//! The console's home: today's showtimes in the cinema's time zone, each with an occupancy
//! bar (sold, held and free seats from the showtime actors' memory).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use boxoffice_storage::{FilmFilter, Timestamp};
use chrono::Days;
use maud::{Markup, html};

use super::guard;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::home::{self, format_name, version_name};
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area};

/// The dashboard route.
pub fn router() -> axum::Router<AppState> {
    Router::new().route("/admin", get(dashboard))
}

/// Midnight today and tomorrow in the cinema's zone.
fn today(page: &Page, now: Timestamp) -> (Timestamp, Timestamp) {
    let date = format::local(page.tz, now).date_naive();
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(page.tz).earliest())
            .map_or(now, |t| Timestamp::from_millis(t.timestamp_millis()))
    };
    (start(date), start(date.checked_add_days(Days::new(1)).unwrap_or(date)))
}

async fn dashboard(State(state): State<AppState>, page: Page) -> Response {
    if let Err(response) = guard::require(&page, Permission::ReadBookings) {
        return *response;
    }
    match render(&state, &page).await {
        Ok(body) => {
            layout::respond(StatusCode::OK, layout::shell(&page, Area::Admin, &page.t("admin-dashboard-title"), body))
        }
        Err(error) => errors::page_for(&page, Area::Admin, &error),
    }
}

async fn render(state: &AppState, page: &Page) -> Result<Markup, ApiError> {
    let (from, to) = today(page, state.clock.now());
    let showtimes = home::showtimes(state, None, from, to).await?;
    let films = home::films(state, &FilmFilter::default()).await?;
    let title = |id| films.iter().find(|f| f.id == id).map_or("?", |f| f.details.title.as_str());
    let rooms = state.storage.list_auditoriums(boxoffice_storage::PageRequest { offset: 0, limit: 200 }).await?.items;
    // The actors answer concurrently (each showtime is its own actor).
    let counts = futures::future::join_all(showtimes.iter().map(|s| state.engine.seat_map(s.id))).await;
    let rows: Vec<_> = showtimes
        .iter()
        .zip(counts)
        .map(|(showtime, map)| {
            let room = rooms.iter().find(|r| r.id == showtime.details.auditorium_id).map(|r| r.details.name.clone());
            (showtime, map.ok().map(|m| m.counts), room)
        })
        .collect();
    Ok(html! {
        h1 { (page.t("admin-dashboard-title")) }
        p { (format::day(page.language(), format::local(page.tz, from).date_naive())) }
        @if rows.is_empty() {
            p { (page.t("admin-dashboard-empty")) }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { (page.t("admin-time")) }
                        th scope="col" { (page.t("bookings-film")) }
                        th scope="col" { (page.t("admin-auditorium")) }
                        th scope="col" { (page.t("admin-occupancy")) }
                        th scope="col" class="num" { (page.t("admin-sold-held-free")) }
                    } }
                    tbody {
                        @for (showtime, counts, auditorium) in &rows {
                            tr {
                                td { time datetime=(format::machine(showtime.details.starts_at)) { (format::time(page.tz, showtime.details.starts_at)) } }
                                td { (title(showtime.details.film_id)) " " span class="meta" { (version_name(showtime.details.version)) " " (format_name(showtime.details.format)) } }
                                td { (auditorium.as_deref().unwrap_or("?")) }
                                td {
                                    @if let Some(c) = counts {
                                        @let percent = ((c.sold + c.held) * 100).checked_div(c.capacity).unwrap_or(0);
                                        div class="occupancy" role="img" aria-label=(page.tr.with("admin-occupancy-label", &[("percent", Arg::Number(i64::from(percent)))])) {
                                            span style=(format!("width:{percent}%")) {}
                                        }
                                    }
                                }
                                td class="num" {
                                    @if let Some(c) = counts { (c.sold) " / " (c.held) " / " (c.free) }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}
