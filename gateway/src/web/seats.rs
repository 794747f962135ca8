//! Seat selection: the seat map of a showtime as a grid of checkboxes (one per seat, each
//! with a spoken label such as "Row F, seat 12, wheelchair space, free"), kept live by
//! `seatmap.js`; posting it holds the seats (all or nothing) and leads to the checkout.
//! General-admission showtimes ask for a number of tickets instead.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_engine::{HoldRequest, SeatMapView, SeatStatus, SeatView};
use boxoffice_storage::{Auditorium, Film, SeatKind, Seating, Showtime, ShowtimeId, ShowtimeStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::context::Page;
use super::errors;
use super::format;
use super::forms::{FormData, to_login};
use super::home::{format_name, version_name};
use super::i18n::Arg;
use super::layout::{self, Area, Tone};
use crate::error::ApiError;
use crate::state::AppState;

/// At most this many tickets in one hold.
pub const MAX_TICKETS: usize = 10;

/// The seat selection routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showtimes/{id}", get(seats_page))
        .route("/showtimes/{id}/hold", post(hold))
        .route("/showtimes/{id}/release", post(release))
}

/// A showtime with its film and auditorium, for page headings.
#[derive(Clone, Debug)]
pub struct ShowtimeInfo {
    /// The showtime.
    pub showtime: Showtime,
    /// Its film.
    pub film: Film,
    /// Its auditorium.
    pub auditorium: Auditorium,
}

impl ShowtimeInfo {
    /// Loads a showtime and what it refers to.
    ///
    /// # Errors
    /// 404 when any of them is unknown; storage failures.
    pub async fn load(state: &AppState, id: ShowtimeId) -> Result<Self, ApiError> {
        let showtime = state.storage.showtime(id).await?.ok_or_else(|| ApiError::not_found("showtime", id))?;
        let film = state
            .storage
            .film(showtime.details.film_id)
            .await?
            .ok_or_else(|| ApiError::not_found("film", showtime.details.film_id))?;
        let auditorium = state
            .storage
            .auditorium(showtime.details.auditorium_id)
            .await?
            .ok_or_else(|| ApiError::not_found("auditorium", showtime.details.auditorium_id))?;
        Ok(Self { showtime, film, auditorium })
    }

    /// The showtime and its live seat map (from the actor).
    ///
    /// # Errors
    /// As [`ShowtimeInfo::load`], and the engine's errors.
    pub async fn load_with_map(state: &AppState, id: ShowtimeId) -> Result<(Self, SeatMapView), ApiError> {
        let info = Self::load(state, id).await?;
        let map = state.engine.seat_map(id).await?;
        Ok((info, map))
    }

    /// "Dune, Sat 5 Dec, 20:30".
    #[must_use]
    pub fn title(&self, page: &Page) -> String {
        format!(
            "{}, {}",
            self.film.details.title,
            format::day_and_time(page.language(), page.tz, self.showtime.details.starts_at)
        )
    }

    /// The heading block: film, time, auditorium, version and format.
    #[must_use]
    pub fn heading(&self, page: &Page) -> Markup {
        let s = &self.showtime.details;
        html! {
            h1 { a href=(format!("/films/{}", self.film.id)) { (self.film.details.title) } }
            p class="meta" {
                time datetime=(format::machine(s.starts_at)) { (format::day_and_time(page.language(), page.tz, s.starts_at)) }
                " · " (self.auditorium.details.name)
                " · " (version_name(s.version)) " " (format_name(s.format))
                " · " (format::duration(self.film.details.duration_minutes))
            }
        }
    }
}

/// `?notice=` ids a redirect may carry (anything else is ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    /// The notice's short name, e.g. `hold-expired`.
    pub notice: String,
}

impl NoticeQuery {
    /// The notice to show, if it is one we know.
    #[must_use]
    pub fn markup(&self, page: &Page) -> Option<Markup> {
        let (tone, id) = match self.notice.as_str() {
            "hold-expired" => (Tone::Error, "notice-hold-expired"),
            "hold-released" => (Tone::Info, "notice-hold-released"),
            "booking-cancelled" => (Tone::Success, "notice-booking-cancelled"),
            "registered" => (Tone::Success, "notice-registered"),
            "signed-in" => (Tone::Success, "notice-signed-in"),
            "saved" => (Tone::Success, "notice-saved"),
            "verification-sent" => (Tone::Info, "notice-verification-sent"),
            "deleted" => (Tone::Success, "notice-deleted"),
            _ => return None,
        };
        Some(layout::notice(tone, &page.t(id)))
    }
}

/// The seat map. `?seat=F7&seat=F8` ticks those seats (what a visitor had chosen before
/// signing in to hold them); `?notice=` shows a known notice.
async fn seats_page(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Site) };
    let notice = pairs.iter().find(|(k, _)| k == "notice").map(|(_, v)| NoticeQuery { notice: v.clone() });
    let chosen: Vec<&str> = pairs
        .iter()
        .filter(|(k, v)| k == "seat" && seat_label_ok(v))
        .map(|(_, v)| v.as_str())
        .take(MAX_TICKETS)
        .collect();
    render(&state, &page, id, StatusCode::OK, notice.and_then(|n| n.markup(&page)), &chosen).await
}

/// A seat label as a form or a link may carry it: 1 to 8 letters and digits.
fn seat_label_ok(label: &str) -> bool {
    (1..=8).contains(&label.len()) && label.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Draws the selection page, with an optional notice and the seats to keep ticked.
async fn render(
    state: &AppState,
    page: &Page,
    id: ShowtimeId,
    status: StatusCode,
    notice: Option<Markup>,
    chosen: &[&str],
) -> Response {
    let (info, map) = match ShowtimeInfo::load_with_map(state, id).await {
        Ok(loaded) => loaded,
        Err(error) => return errors::page_for(page, Area::Site, &error),
    };
    let current = match page.customer() {
        Some(customer) => state.engine.current_hold(id, customer).await.ok().flatten(),
        None => None,
    };
    let on_sale =
        info.showtime.status == ShowtimeStatus::Scheduled && info.showtime.details.starts_at > state.clock.now();
    let body = html! {
        (info.heading(page))
        @if let Some(notice) = notice { (notice) }
        @if let Some(hold) = &current {
            (layout::notice(Tone::Info, &page.tr.with("seats-you-hold", &[("seats", Arg::Text(&hold_seats(page, &hold.seats, hold.quantity)))])))
            p { a class="button" href=(format!("/showtimes/{id}/checkout")) { (page.t("seats-go-to-checkout")) } }
        }
        (prices(page, &map))
        @if !on_sale {
            (layout::notice(Tone::Error, &page.t("seats-not-on-sale")))
        } @else if map.counts.free == 0 {
            (layout::notice(Tone::Error, &page.t("error-sold-out")))
        }
        form method="post" action=(format!("/showtimes/{id}/hold")) {
            (layout::csrf_field(page))
            @match map.seating {
                Seating::Reserved => { (seat_grid(page, &map, chosen, "seat")) }
                Seating::GeneralAdmission { .. } => { (quantity_field(page, &map)) }
            }
            div class="actions" {
                @if page.customer().is_some() || page.identity.is_none() {
                    button type="submit" disabled[!on_sale || map.counts.free == 0] {
                        @if page.identity.is_none() { (page.t("seats-sign-in-and-hold")) } @else { (page.t("seats-hold")) }
                    }
                }
                span id="live-status" class="live-status" role="status" aria-live="polite" {}
            }
        }
        script src=(super::assets::SEATMAP_JS) defer {}
    };
    layout::respond(status, layout::shell(page, Area::Site, &info.title(page), body))
}

/// "F12, F13" or "2 tickets".
#[must_use]
pub fn hold_seats(page: &Page, seats: &[String], quantity: u32) -> String {
    if seats.is_empty() {
        page.tr.with("tickets-count", &[("count", Arg::Number(i64::from(quantity)))])
    } else {
        seats.join(", ")
    }
}

fn prices(page: &Page, map: &SeatMapView) -> Markup {
    html! {
        h2 { (page.t("seats-prices")) }
        ul class="legend" {
            @for tier in &map.prices.tiers {
                li { (tier_name(page, &tier.tier)) ": " (format::money(page.language(), boxoffice_storage::Money::new(tier.price_minor, map.prices.currency))) }
            }
        }
    }
}

/// A price tier's name (`full`, `child`, ... are translated; others shown as they are).
#[must_use]
pub fn tier_name(page: &Page, tier: &str) -> String {
    super::i18n::tier_label(page.language(), tier)
}

fn quantity_field(page: &Page, map: &SeatMapView) -> Markup {
    let max = usize::try_from(map.counts.free).unwrap_or(0).min(MAX_TICKETS);
    html! {
        p { (page.tr.with("seats-left", &[("count", Arg::Number(i64::from(map.counts.free)))])) }
        div class="field" {
            label for="quantity" { (page.t("seats-quantity")) }
            select id="quantity" name="quantity" {
                @for n in 1..=max.max(1) { option value=(n) { (n) } }
            }
        }
    }
}

fn kind_word(page: &Page, kind: SeatKind) -> String {
    let id = match kind {
        SeatKind::Standard => "seat-kind-standard",
        SeatKind::Premium => "seat-kind-premium",
        SeatKind::Wheelchair => "seat-kind-wheelchair",
        SeatKind::Companion => "seat-kind-companion",
        SeatKind::Loveseat => "seat-kind-loveseat",
    };
    page.t(id)
}

fn status_word(page: &Page, status: SeatStatus) -> String {
    page.t(match status {
        SeatStatus::Free => "seat-free",
        SeatStatus::Held => "seat-held",
        SeatStatus::Sold => "seat-sold",
        SeatStatus::Blocked => "seat-blocked",
    })
}

const fn status_class(status: SeatStatus) -> &'static str {
    match status {
        SeatStatus::Free => "free",
        SeatStatus::Held => "held",
        SeatStatus::Sold => "sold",
        SeatStatus::Blocked => "blocked",
    }
}

const fn kind_class(kind: SeatKind) -> &'static str {
    match kind {
        SeatKind::Standard => "standard",
        SeatKind::Premium => "premium",
        SeatKind::Wheelchair => "wheelchair",
        SeatKind::Companion => "companion",
        SeatKind::Loveseat => "loveseat",
    }
}

/// "Row F, seat 12, wheelchair space, free".
#[must_use]
pub fn seat_label(page: &Page, seat: &SeatView) -> String {
    let mut words =
        page.tr.with("seat-label", &[("row", Arg::Text(&seat.row)), ("number", Arg::Number(i64::from(seat.number)))]);
    if seat.kind != SeatKind::Standard {
        words.push_str(", ");
        words.push_str(&kind_word(page, seat.kind));
    }
    words.push_str(", ");
    words.push_str(&status_word(page, seat.status));
    words
}

/// The seat grid: a checkbox per seat named `field`, placed at its row and column, in the
/// order of the WebSocket snapshot (so `seatmap.js` can apply it by index).
#[must_use]
pub fn seat_grid(page: &Page, map: &SeatMapView, chosen: &[&str], field: &str) -> Markup {
    let columns = map.seats.iter().map(|s| s.column).max().map_or(1, |c| c + 1);
    let mut rows: Vec<(u16, &str)> = map.seats.iter().map(|s| (s.row_index, s.row.as_str())).collect();
    rows.dedup();
    let template = format!("grid-template-columns: 1.5rem repeat({columns}, 1.9rem) 1.5rem");
    html! {
        fieldset {
            legend { (page.t("seats-choose")) }
            p class="hint" { (page.tr.with("seats-choose-hint", &[("max", Arg::Number(MAX_TICKETS as i64))])) }
            div class="screen" aria-hidden="true" { (page.t("seats-screen")) }
            div class="seatmap-wrap" {
                div class="seatmap" style=(template) data-seatmap data-showtime=(map.showtime_id)
                    data-word-free=(page.t("seat-free")) data-word-held=(page.t("seat-held"))
                    data-word-sold=(page.t("seat-sold")) data-word-blocked=(page.t("seat-blocked"))
                    data-word-taken=(page.t("seat-just-taken")) data-word-live=(page.t("seats-live"))
                    data-word-offline=(page.t("seats-offline")) {
                    @for (index, label) in &rows {
                        span class="row-label" aria-hidden="true" style=(format!("grid-row:{};grid-column:1", index + 1)) { (label) }
                        span class="row-label" aria-hidden="true" style=(format!("grid-row:{};grid-column:{}", index + 1, columns + 2)) { (label) }
                    }
                    @for seat in &map.seats {
                        @let free = seat.status == SeatStatus::Free;
                        @let checked = free && chosen.contains(&seat.label.as_str());
                        div class=(format!("seat {} {}", kind_class(seat.kind), status_class(seat.status)))
                            style=(format!("grid-row:{};grid-column:{}", seat.row_index + 1, seat.column + 2)) {
                            input type="checkbox" name=(field) value=(seat.label) id=(format!("seat-{}", seat.label))
                                data-label=(seat.label) data-row=(seat.row_index) data-col=(seat.column)
                                aria-label=(seat_label(page, seat))
                                checked[checked] disabled[!free];
                            span aria-hidden="true" { (seat.number) }
                        }
                    }
                }
            }
            (legend(page))
        }
    }
}

fn legend(page: &Page) -> Markup {
    let item = |class: &str, id: &str| {
        html! { li { span class=(format!("seat {class}")) aria-hidden="true" { span {} } (page.t(id)) } }
    };
    html! {
        ul class="legend" aria-label=(page.t("seats-legend")) {
            (item("standard free", "seat-free"))
            (item("standard held", "seat-held"))
            (item("standard sold", "seat-sold"))
            (item("standard blocked", "seat-blocked"))
            (item("premium free", "seat-kind-premium"))
            (item("wheelchair free", "seat-kind-wheelchair"))
            (item("loveseat free", "seat-kind-loveseat"))
        }
    }
}

/// What a seat form asks to hold, checked.
///
/// # Errors
/// No seat, more than [`MAX_TICKETS`], or a bad quantity: the message id.
pub fn hold_request(form: &FormData, seating: Seating, field: &str) -> Result<HoldRequest, &'static str> {
    match seating {
        Seating::Reserved => {
            let seats: Vec<String> = form.all(field).into_iter().map(str::to_owned).collect();
            if seats.is_empty() {
                return Err("seats-none-chosen");
            }
            if seats.len() > MAX_TICKETS {
                return Err("seats-too-many");
            }
            if seats.iter().any(|s| s.is_empty() || s.len() > 8) {
                return Err("seats-unknown");
            }
            Ok(HoldRequest::Seats(seats))
        }
        Seating::GeneralAdmission { .. } => match form.get("quantity").parse::<u32>() {
            Ok(n) if (1..=MAX_TICKETS as u32).contains(&n) => Ok(HoldRequest::Quantity(n)),
            _ => Err("seats-bad-quantity"),
        },
    }
}

async fn hold(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Site) };
    let form = FormData(form);
    let Some(customer) = page.customer() else {
        // Back to the same seats, ticked, once signed in.
        let seats: Vec<String> = form
            .all("seat")
            .into_iter()
            .filter(|s| seat_label_ok(s))
            .take(MAX_TICKETS)
            .map(|s| format!("seat={s}"))
            .collect();
        let next =
            if seats.is_empty() { format!("/showtimes/{id}") } else { format!("/showtimes/{id}?{}", seats.join("&")) };
        return to_login(&next).into_response();
    };
    let chosen = form.all("seat");
    let seating = match state.storage.showtime(id).await {
        Ok(Some(showtime)) => showtime.details.seating,
        Ok(None) => return errors::page_for(&page, Area::Site, &ApiError::not_found("showtime", id)),
        Err(error) => return errors::page_for(&page, Area::Site, &error.into()),
    };
    let request = match hold_request(&form, seating, "seat") {
        Ok(request) => request,
        Err(message) => {
            let notice = layout::notice(Tone::Error, &page.t(message));
            return render(&state, &page, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), &chosen).await;
        }
    };
    match state.engine.hold(id, customer, request).await {
        Ok(_) => Redirect::to(&format!("/showtimes/{id}/checkout")).into_response(),
        Err(error) => {
            let error = ApiError::from(error);
            let notice = errors::notice(&page, &error);
            render(&state, &page, id, error.status(), Some(notice), &chosen).await
        }
    }
}

async fn release(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Site) };
    let Some(customer) = page.customer() else {
        return to_login(&format!("/showtimes/{id}")).into_response();
    };
    let form = FormData(form);
    let Ok(hold) = form.get("hold_id").parse() else {
        return Redirect::to(&format!("/showtimes/{id}")).into_response();
    };
    match state.engine.release(id, customer, hold).await {
        // Released, or already gone: either way the seats are no longer held.
        Ok(()) | Err(boxoffice_engine::EngineError::HoldNotFound) => {
            Redirect::to(&format!("/showtimes/{id}?notice=hold-released")).into_response()
        }
        Err(error) => errors::page_for(&page, Area::Site, &error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn hold_forms_are_checked() {
        let reserved = Seating::Reserved;
        assert_eq!(hold_request(&form(&[]), reserved, "seat"), Err("seats-none-chosen"));
        let eleven: Vec<(&str, &str)> = (0..11).map(|_| ("seat", "A1")).collect();
        assert_eq!(hold_request(&form(&eleven), reserved, "seat"), Err("seats-too-many"));
        assert_eq!(
            hold_request(&form(&[("seat", "A1"), ("seat", "A2")]), reserved, "seat"),
            Ok(HoldRequest::Seats(vec!["A1".into(), "A2".into()]))
        );
        let ga = Seating::GeneralAdmission { capacity: 100 };
        assert_eq!(hold_request(&form(&[("quantity", "3")]), ga, "seat"), Ok(HoldRequest::Quantity(3)));
        assert_eq!(hold_request(&form(&[("quantity", "0")]), ga, "seat"), Err("seats-bad-quantity"));
        assert_eq!(hold_request(&form(&[("quantity", "x")]), ga, "seat"), Err("seats-bad-quantity"));
    }
}
