//! A film's page: every detail, its showtimes for the coming days with the seats left (from
//! the showtime actors' memory), and its reviews ([`super::reviews`]).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use boxoffice_storage::{Film, FilmId, Showtime};
use chrono::NaiveDate;
use maud::{Markup, html};

use super::context::Page;
use super::errors;
use super::format;
use super::home::{self, LISTING_DAYS, format_name, version_name};
use super::i18n::Arg;
use super::layout::{self, Area};
use crate::error::ApiError;
use crate::state::AppState;

/// The film route.
pub fn router() -> Router<AppState> {
    Router::new().route("/films/{id}", get(film_page))
}

async fn film_page(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    let Ok(id) = raw.parse::<FilmId>() else { return errors::not_found(&page, Area::Site) };
    respond(&state, &page, id, StatusCode::OK, None).await
}

/// The film's page with a notice in its reviews section (after a refused review).
pub async fn page_with_notice(
    state: &AppState,
    page: &Page,
    id: FilmId,
    status: StatusCode,
    notice: Markup,
) -> Response {
    respond(state, page, id, status, Some(notice)).await
}

async fn respond(state: &AppState, page: &Page, id: FilmId, status: StatusCode, notice: Option<Markup>) -> Response {
    match render(state, page, id, notice).await {
        Ok((film, body)) => layout::respond(status, layout::shell(page, Area::Site, &film.details.title, body)),
        Err(error) => errors::page_for(page, Area::Site, &error),
    }
}

async fn render(state: &AppState, page: &Page, id: FilmId, notice: Option<Markup>) -> Result<(Film, Markup), ApiError> {
    let film = state.storage.film(id).await?.ok_or_else(|| ApiError::not_found("film", id))?;
    let now = state.clock.now();
    let showtimes = home::showtimes(state, Some(id), now, now.plus_millis(LISTING_DAYS * 24 * 3600 * 1000)).await?;
    let mut days: BTreeMap<NaiveDate, Vec<(Showtime, Option<u32>)>> = BTreeMap::new();
    // Seats left come from the actors, asked concurrently; a busy one shows no count.
    let maps = futures::future::join_all(showtimes.iter().map(|s| state.engine.seat_map(s.id))).await;
    for (showtime, map) in showtimes.into_iter().zip(maps) {
        let left = map.ok().map(|m| m.counts.free);
        let day = format::local(page.tz, showtime.details.starts_at).date_naive();
        days.entry(day).or_default().push((showtime, left));
    }
    let reviews = super::reviews::section(state, page, &film, notice).await?;
    let rooms = home::auditorium_names(state).await?;
    let body = html! {
        (details(page, &film))
        section aria-labelledby="showtimes" {
            h2 id="showtimes" { (page.t("film-showtimes")) }
            @if days.is_empty() { p { (page.t("film-no-showtimes")) } }
            @for (day, times) in &days {
                h3 { (format::day(page.language(), *day)) }
                ul class="times" {
                    @for (showtime, left) in times {
                        @let room = rooms.get(&showtime.details.auditorium_id).map_or("", String::as_str);
                        li { (showtime_link(page, showtime, *left, room)) }
                    }
                }
            }
        }
        (reviews)
    };
    Ok((film, body))
}

fn showtime_link(page: &Page, showtime: &Showtime, left: Option<u32>, room: &str) -> Markup {
    let when = format::time(page.tz, showtime.details.starts_at);
    let left_text = match left {
        Some(0) => page.t("sold-out"),
        Some(n) => page.tr.with("seats-left", &[("count", Arg::Number(i64::from(n)))]),
        None => String::new(),
    };
    html! {
        a href=(format!("/showtimes/{}", showtime.id)) {
            time datetime=(format::machine(showtime.details.starts_at)) { (when) }
            " " (version_name(showtime.details.version)) " " (format_name(showtime.details.format))
            @if !room.is_empty() { br; small { (room) } }
            @if !left_text.is_empty() { br; small { (left_text) } }
        }
    }
}

fn languages(codes: &[String]) -> String {
    codes.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>().join(", ")
}

fn details(page: &Page, film: &Film) -> Markup {
    let d = &film.details;
    html! {
        div class="film-detail" {
            div {
                @if let Some(poster) = &d.poster_url {
                    img src=(poster) alt=(page.tr.with("poster-alt", &[("title", Arg::Text(&d.title))])) width="200" height="300";
                }
            }
            div {
                h1 { (d.title) }
                @if let Some(original) = d.original_title.as_ref().filter(|o| **o != d.title) {
                    p class="meta" lang="" { (original) }
                }
                dl class="facts" {
                    dt { (page.t("film-director")) } dd { (d.director) }
                    @if !d.cast.is_empty() { dt { (page.t("film-cast")) } dd { (d.cast.join(", ")) } }
                    dt { (page.t("film-duration")) } dd { (format::duration(d.duration_minutes)) }
                    @if !d.genres.is_empty() { dt { (page.t("film-genres")) } dd { (d.genres.join(", ")) } }
                    @if let Some(rating) = &d.age_rating { dt { (page.t("film-rating")) } dd { (rating) } }
                    @if !d.spoken_languages.is_empty() { dt { (page.t("film-languages")) } dd { (languages(&d.spoken_languages)) } }
                    @if !d.subtitle_languages.is_empty() { dt { (page.t("film-subtitles")) } dd { (languages(&d.subtitle_languages)) } }
                    @if let Some(date) = d.release_date { dt { (page.t("film-release-date")) } dd { (format::date_with_year(page.language(), date)) } }
                }
                @if !d.synopsis.is_empty() { p { (d.synopsis) } }
                @if let Some(trailer) = &d.trailer_url {
                    p { a href=(trailer) rel="noopener" { (page.t("film-trailer")) } }
                }
            }
        }
    }
}
