//! The home page: films now showing (with their showtimes grouped by day) and coming soon,
//! with search on title, director and cast and filters for genre, version, format, maximum
//! duration and date. Filters are a GET form, so a filtered listing is a link.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use boxoffice_storage::catalog::{Format, Version};
use boxoffice_storage::{
    AuditoriumId, Film, FilmFilter, FilmId, PageRequest, Showtime, ShowtimeFilter, ShowtimeStatus, Timestamp,
};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::context::Page;
use super::errors;
use super::format;
use super::i18n::Arg;
use super::layout::{self, Area, Tone};
use crate::error::ApiError;
use crate::state::AppState;

/// How far ahead the listings look.
pub const LISTING_DAYS: i64 = 14;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The home route.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// The filters, as typed in the form (checked by [`Filters::parse`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterQuery {
    q: String,
    genre: String,
    version: String,
    format: String,
    max_duration: String,
    date: String,
}

/// Checked filters.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters {
    text: Option<String>,
    genre: Option<String>,
    version: Option<Version>,
    format: Option<Format>,
    max_duration: Option<u32>,
    date: Option<NaiveDate>,
}

impl Filters {
    /// Checks the query; the error names the message id of the first bad field.
    ///
    /// # Errors
    /// A version, format, duration or date that does not parse.
    pub fn parse(query: &FilterQuery) -> Result<Self, &'static str> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let version = match query.version.trim() {
            "" => None,
            "VF" => Some(Version::Vf),
            "VO" => Some(Version::Vo),
            "VOST" => Some(Version::Vost),
            _ => return Err("filter-bad-version"),
        };
        let format = match query.format.trim() {
            "" => None,
            "2d" => Some(Format::TwoD),
            "3d" => Some(Format::ThreeD),
            _ => return Err("filter-bad-format"),
        };
        let max_duration = match query.max_duration.trim() {
            "" => None,
            text => Some(text.parse::<u32>().ok().filter(|m| (1..=600).contains(m)).ok_or("filter-bad-duration")?),
        };
        let date = match query.date.trim() {
            "" => None,
            text => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "filter-bad-date")?),
        };
        let text = some(&query.q).map(|t| t.chars().take(100).collect());
        Ok(Self { text, genre: some(&query.genre).map(|g| g.to_lowercase()), version, format, max_duration, date })
    }

    fn film_filter(&self) -> FilmFilter {
        FilmFilter {
            genre: self.genre.clone(),
            language: None,
            max_duration_minutes: self.max_duration,
            text: self.text.clone(),
        }
    }

    fn keeps(&self, showtime: &Showtime) -> bool {
        self.version.is_none_or(|v| v == showtime.details.version)
            && self.format.is_none_or(|f| f == showtime.details.format)
    }
}

/// Every film matching `filter` (all pages).
///
/// # Errors
/// Storage failures.
pub async fn films(state: &AppState, filter: &FilmFilter) -> Result<Vec<Film>, ApiError> {
    let mut all = Vec::new();
    loop {
        let page = PageRequest { offset: u32::try_from(all.len()).unwrap_or(u32::MAX), limit: 200 };
        let got = state.storage.list_films(filter, page).await?;
        let done = got.items.len() < 200 || all.len() + got.items.len() >= usize::try_from(got.total).unwrap_or(0);
        all.extend(got.items);
        if done {
            return Ok(all);
        }
    }
}

/// Scheduled showtimes starting in `[from, to)`, optionally of one film, soonest first.
///
/// # Errors
/// Storage failures.
pub async fn showtimes(
    state: &AppState,
    film: Option<FilmId>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Showtime>, ApiError> {
    let filter = ShowtimeFilter { film_id: film, from: Some(from), to: Some(to), ..ShowtimeFilter::default() };
    let mut all: Vec<Showtime> = Vec::new();
    loop {
        let page = PageRequest { offset: u32::try_from(all.len()).unwrap_or(u32::MAX), limit: 200 };
        let got = state.storage.list_showtimes(&filter, page).await?;
        let done = got.items.len() < 200;
        all.extend(got.items);
        if done || all.len() >= 5000 {
            break;
        }
    }
    all.retain(|s| s.status == ShowtimeStatus::Scheduled);
    all.sort_by_key(|s| s.details.starts_at);
    Ok(all)
}

/// The start and end of the listing window: from now (or the chosen day) on.
fn window(page: &Page, now: Timestamp, date: Option<NaiveDate>) -> (Timestamp, Timestamp) {
    match date.and_then(|d| d.and_hms_opt(0, 0, 0)).and_then(|d| d.and_local_timezone(page.tz).earliest()) {
        Some(start) => {
            let start = Timestamp::from_millis(start.timestamp_millis());
            (if start < now { now } else { start }, start.plus_millis(DAY_MS))
        }
        None => (now, now.plus_millis(LISTING_DAYS * DAY_MS)),
    }
}

async fn home(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<FilterQuery>,
    Query(notice): Query<super::seats::NoticeQuery>,
) -> Response {
    let (filters, filter_error) = match Filters::parse(&query) {
        Ok(filters) => (filters, None),
        Err(id) => (Filters::default(), Some(id)),
    };
    match listing(&state, &page, &filters).await {
        Ok(body) => {
            let status = if filter_error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            let body = html! {
                h1 { (page.t("home-title")) }
                @if let Some(notice) = notice.markup(&page) { (notice) }
                @if let Some(id) = filter_error { (layout::notice(Tone::Error, &page.t(id))) }
                (filter_form(&page, &query))
                (body)
            };
            layout::respond(status, layout::shell(&page, Area::Site, &page.t("home-title"), body))
        }
        Err(error) => errors::page_for(&page, Area::Site, &error),
    }
}

async fn listing(state: &AppState, page: &Page, filters: &Filters) -> Result<Markup, ApiError> {
    let now = state.clock.now();
    let films = films(state, &filters.film_filter()).await?;
    let (from, to) = window(page, now, filters.date);
    let mut showtimes = showtimes(state, None, from, to).await?;
    let wanted: BTreeSet<FilmId> = films.iter().map(|f| f.id).collect();
    showtimes.retain(|s| wanted.contains(&s.details.film_id) && filters.keeps(s));
    let by_id: HashMap<FilmId, &Film> = films.iter().map(|f| (f.id, f)).collect();
    let rooms = auditorium_names(state).await?;
    let showing: BTreeSet<FilmId> = showtimes.iter().map(|s| s.details.film_id).collect();
    let today = format::local(page.tz, now).date_naive();
    let mut now_showing: Vec<&Film> = films.iter().filter(|f| showing.contains(&f.id)).collect();
    now_showing.sort_by(|a, b| a.details.title.cmp(&b.details.title));
    // Coming soon: not showing in the window and released later (or without a date), unless
    // the visitor filters on version, format or date (then only showtimes count).
    let filtering_showtimes = filters.version.is_some() || filters.format.is_some() || filters.date.is_some();
    let coming: Vec<&Film> = if filtering_showtimes {
        Vec::new()
    } else {
        films.iter().filter(|f| !showing.contains(&f.id) && f.details.release_date.is_none_or(|d| d > today)).collect()
    };
    // Day → film → its showtimes that day.
    let mut days: BTreeMap<NaiveDate, BTreeMap<(String, FilmId), Vec<&Showtime>>> = BTreeMap::new();
    for showtime in &showtimes {
        let Some(film) = by_id.get(&showtime.details.film_id) else { continue };
        let day = format::local(page.tz, showtime.details.starts_at).date_naive();
        days.entry(day).or_default().entry((film.details.title.clone(), film.id)).or_default().push(showtime);
    }
    Ok(html! {
        section aria-labelledby="now-showing" {
            h2 id="now-showing" { (page.t("home-now-showing")) }
            @if now_showing.is_empty() {
                p { (page.t("home-nothing-found")) }
            } @else {
                ul class="films" {
                    @for film in &now_showing { li { (film_card(page, film)) } }
                }
            }
        }
        @if !days.is_empty() {
            section aria-labelledby="by-day" {
                h2 id="by-day" { (page.t("home-by-day")) }
                @for (day, films) in &days {
                    section class="day" aria-label=(format::day(page.language(), *day)) {
                        h3 { (format::day(page.language(), *day)) }
                        ul class="films" {
                            @for ((title, id), times) in films {
                                li class="film-card" {
                                    div {
                                        p { strong { a href=(format!("/films/{id}")) { (title) } } }
                                        (time_links(page, times, &rooms))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !coming.is_empty() {
            section aria-labelledby="coming-soon" {
                h2 id="coming-soon" { (page.t("home-coming-soon")) }
                ul class="films" {
                    @for film in &coming { li { (film_card(page, film)) } }
                }
            }
        }
    })
}

/// The names of the auditoriums, by id: what tells two showtimes at the same time apart.
///
/// # Errors
/// Storage failures.
pub async fn auditorium_names(state: &AppState) -> Result<HashMap<AuditoriumId, String>, ApiError> {
    let mut names = HashMap::new();
    loop {
        let offset = u32::try_from(names.len()).unwrap_or(u32::MAX);
        let page = state.storage.list_auditoriums(PageRequest { offset, limit: 200 }).await?;
        let done = page.items.len() < 200;
        names.extend(page.items.into_iter().map(|a| (a.id, a.details.name)));
        if done {
            return Ok(names);
        }
    }
}

/// The showtime links of one film on one day: "20:30 VOST 3D · Salle 2".
#[must_use]
pub fn time_links(page: &Page, times: &[&Showtime], rooms: &HashMap<AuditoriumId, String>) -> Markup {
    html! {
        ul class="times" {
            @for showtime in times {
                @let room = rooms.get(&showtime.details.auditorium_id).map_or("", String::as_str);
                li {
                    a href=(format!("/showtimes/{}", showtime.id))
                        aria-label=(page.tr.with("showtime-link-label", &[
                            ("time", Arg::Text(&format::day_and_time(page.language(), page.tz, showtime.details.starts_at))),
                            ("version", Arg::Text(version_name(showtime.details.version))),
                            ("format", Arg::Text(format_name(showtime.details.format))),
                            ("auditorium", Arg::Text(room)),
                        ])) {
                        time datetime=(format::machine(showtime.details.starts_at)) {
                            (format::time(page.tz, showtime.details.starts_at))
                        }
                        " " (version_name(showtime.details.version)) " " (format_name(showtime.details.format))
                        @if !room.is_empty() { br; small { (room) } }
                    }
                }
            }
        }
    }
}

/// `VF`, `VO`, `VOST`.
#[must_use]
pub const fn version_name(version: Version) -> &'static str {
    match version {
        Version::Vf => "VF",
        Version::Vo => "VO",
        Version::Vost => "VOST",
    }
}

/// `2D`, `3D`.
#[must_use]
pub const fn format_name(format: Format) -> &'static str {
    match format {
        Format::TwoD => "2D",
        Format::ThreeD => "3D",
    }
}

/// A film's card: poster, title, director, duration, genres, rating.
#[must_use]
pub fn film_card(page: &Page, film: &Film) -> Markup {
    let d = &film.details;
    html! {
        div class="film-card" {
            @if let Some(poster) = &d.poster_url {
                img src=(poster) alt="" width="96" height="144" loading="lazy";
            }
            div {
                h3 { a href=(format!("/films/{}", film.id)) { (d.title) } }
                p class="meta" { (page.tr.with("film-by", &[("director", Arg::Text(&d.director))])) }
                p class="meta" {
                    (format::duration(d.duration_minutes))
                    @if !d.genres.is_empty() { " · " (d.genres.join(", ")) }
                    @if let Some(rating) = &d.age_rating { " · " (rating) }
                }
                @if let Some(date) = d.release_date {
                    p class="meta" { (page.tr.with("film-release", &[("date", Arg::Text(&format::date_with_year(page.language(), date)))])) }
                }
            }
        }
    }
}

fn filter_form(page: &Page, query: &FilterQuery) -> Markup {
    let selected = |value: &str, current: &str| value == current.trim();
    html! {
        form class="filters" method="get" action="/" role="search" aria-label=(page.t("filter-label")) {
            div class="field" {
                label for="q" { (page.t("filter-search")) }
                input type="search" id="q" name="q" value=(query.q) maxlength="100" placeholder=(page.t("filter-search-hint"));
            }
            div class="field" {
                label for="genre" { (page.t("filter-genre")) }
                input type="text" id="genre" name="genre" value=(query.genre) maxlength="50";
            }
            div class="field" {
                label for="version" { (page.t("filter-version")) }
                select id="version" name="version" {
                    option value="" { (page.t("filter-any")) }
                    @for v in ["VF", "VO", "VOST"] {
                        option value=(v) selected[selected(v, &query.version)] { (v) }
                    }
                }
            }
            div class="field" {
                label for="format" { (page.t("filter-format")) }
                select id="format" name="format" {
                    option value="" { (page.t("filter-any-format")) }
                    option value="2d" selected[selected("2d", &query.format)] { "2D" }
                    option value="3d" selected[selected("3d", &query.format)] { "3D" }
                }
            }
            div class="field" {
                label for="max_duration" { (page.t("filter-max-duration")) }
                input type="number" id="max_duration" name="max_duration" min="1" max="600" value=(query.max_duration);
            }
            div class="field" {
                label for="date" { (page.t("filter-date")) }
                input type="date" id="date" name="date" value=(query.date);
            }
            div class="field" {
                button type="submit" { (page.t("filter-submit")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked() {
        let query = |f: fn(&mut FilterQuery)| {
            let mut q = FilterQuery::default();
            f(&mut q);
            Filters::parse(&q)
        };
        assert_eq!(query(|_| {}), Ok(Filters::default()));
        assert_eq!(query(|q| q.version = "VOST".into()).map(|f| f.version), Ok(Some(Version::Vost)));
        assert_eq!(query(|q| q.version = "xx".into()), Err("filter-bad-version"));
        assert_eq!(query(|q| q.format = "4d".into()), Err("filter-bad-format"));
        assert_eq!(query(|q| q.max_duration = "0".into()), Err("filter-bad-duration"));
        assert_eq!(query(|q| q.max_duration = "abc".into()), Err("filter-bad-duration"));
        assert_eq!(query(|q| q.date = "2026-13-01".into()), Err("filter-bad-date"));
        assert_eq!(query(|q| q.genre = " Drama ".into()).map(|f| f.genre), Ok(Some("drama".into())));
    }
}
