//! The box office for cashiers: pick one of the coming showtimes, tick seats on the live
//! seat map (or a number of tickets), choose the tier and how the customer paid, and sell;
//! the sale goes through the box-office API and ends on the printable ticket.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_engine::HoldRequest;
use boxoffice_storage::{FilmFilter, Money, Seating, ShowtimeId};
use maud::{Markup, html};
use serde_json::json;

use super::guard;
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::home::{format_name, version_name};
use crate::web::layout::{self, Area, Tone};
use crate::web::seats::{ShowtimeInfo, hold_request, seat_grid, tier_name};

/// How far ahead the box office lists showtimes.
const DAYS_AHEAD: i64 = 3;

/// The box-office routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/box-office", get(choose)).route("/admin/box-office/{id}", get(sell_page).post(sell))
}

fn respond(page: &Page, status: StatusCode, title: &str, body: Markup) -> Response {
    layout::respond(status, layout::shell(page, Area::Admin, title, body))
}

async fn choose(State(state): State<AppState>, page: Page) -> Response {
    if let Err(response) = guard::require(&page, Permission::BoxOffice) {
        return *response;
    }
    let now = state.clock.now();
    let showtimes =
        match crate::web::home::showtimes(&state, None, now, now.plus_millis(DAYS_AHEAD * 24 * 3600 * 1000)).await {
            Ok(showtimes) => showtimes,
            Err(error) => return errors::page_for(&page, Area::Admin, &error),
        };
    let films = crate::web::home::films(&state, &FilmFilter::default()).await.unwrap_or_default();
    let title_of = |id| films.iter().find(|f| f.id == id).map_or("?", |f| f.details.title.as_str());
    let rooms = crate::web::home::auditorium_names(&state).await.unwrap_or_default();
    let title = page.t("admin-nav-box-office");
    let body = html! {
        h1 { (title) }
        @if showtimes.is_empty() { p { (page.t("admin-dashboard-empty")) } }
        ul class="times" {
            @for s in &showtimes {
                li { a href=(format!("/admin/box-office/{}", s.id)) {
                    (format::day_and_time(page.language(), page.tz, s.details.starts_at)) " · " (title_of(s.details.film_id))
                    " " (version_name(s.details.version)) " " (format_name(s.details.format))
                    @if let Some(room) = rooms.get(&s.details.auditorium_id) { " · " (room) }
                } }
            }
        }
    };
    respond(&page, StatusCode::OK, &title, body)
}

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
        Err(error) => return errors::page_for(page, Area::Admin, &error),
    };
    let prices = &info.showtime.details.prices;
    let body = html! {
        (info.heading(page))
        @if let Some(notice) = notice { (notice) }
        form method="post" action=(format!("/admin/box-office/{id}")) {
            (layout::csrf_field(page))
            @match map.seating {
                Seating::Reserved => { (seat_grid(page, &map, chosen, "seat")) }
                Seating::GeneralAdmission { .. } => {
                    div class="field" {
                        label for="quantity" { (page.t("seats-quantity")) }
                        input type="number" id="quantity" name="quantity" min="1" max="10" value="1";
                    }
                }
            }
            div class="field" {
                label for="tier" { (page.t("admin-tier-for-all")) }
                select id="tier" name="tier" {
                    @for t in &prices.tiers {
                        option value=(t.tier) { (tier_name(page, &t.tier)) " — " (format::money(page.language(), Money::new(t.price_minor, prices.currency))) }
                    }
                }
            }
            fieldset {
                legend { (page.t("admin-payment")) }
                div {
                    input type="radio" id="pay_cash" name="payment" value="cash" checked;
                    label for="pay_cash" style="display:inline;margin-left:.4rem" { (page.t("admin-pay-cash")) }
                }
                div {
                    input type="radio" id="pay_card" name="payment" value="card";
                    label for="pay_card" style="display:inline;margin-left:.4rem" { (page.t("admin-pay-card")) }
                }
                div class="field" {
                    label for="terminal_ref" { (page.t("admin-terminal-ref")) }
                    input type="text" id="terminal_ref" name="terminal_ref" maxlength="40";
                }
            }
            div class="actions" {
                button type="submit" { (page.t("admin-sell")) }
                span id="live-status" class="live-status" role="status" aria-live="polite" {}
            }
        }
        script src=(crate::web::assets::SEATMAP_JS) defer {}
    };
    respond(page, status, &info.title(page), body)
}

async fn sell_page(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::BoxOffice) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    render(&state, &page, id, StatusCode::OK, None, &[]).await
}

async fn sell(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = guard::require(&page, Permission::BoxOffice) {
        return *response;
    }
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Admin) };
    let form = FormData(form);
    let chosen = form.all("seat");
    let seating = match state.storage.showtime(id).await {
        Ok(Some(s)) => s.details.seating,
        Ok(None) => return errors::not_found(&page, Area::Admin),
        Err(error) => return errors::page_for(&page, Area::Admin, &error.into()),
    };
    let request = match hold_request(&form, seating, "seat") {
        Ok(request) => request,
        Err(message) => {
            let notice = layout::notice(Tone::Error, &page.t(message));
            return render(&state, &page, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), &chosen).await;
        }
    };
    let tier = form.get("tier");
    let (seats, quantity, tiers) = match request {
        HoldRequest::Seats(seats) => {
            let tiers: Vec<_> = seats.iter().map(|s| json!({"seat": s, "tier": tier})).collect();
            (Some(seats), None, tiers)
        }
        HoldRequest::Quantity(n) => (None, Some(n), (0..n).map(|_| json!({"tier": tier})).collect()),
    };
    let body = json!({
        "showtime_id": id, "seats": seats, "quantity": quantity, "tiers": tiers,
        "payment": if form.get("payment") == "card" { "card" } else { "cash" },
        "terminal_ref": form.optional("terminal_ref"),
    });
    match super::api::call(&state, &page, Method::POST, "/box-office/sales", Some(body)).await {
        Ok(sold) => match sold.pointer("/booking/id").and_then(|v| v.as_str()) {
            Some(booking) => Redirect::to(&format!("/bookings/{booking}?new=1")).into_response(),
            None => errors::page_for(
                &page,
                Area::Admin,
                &crate::error::ApiError::internal("the sale answered without a booking"),
            ),
        },
        Err(failure) => {
            let notice = layout::notice(Tone::Error, &failure.message(&page));
            render(&state, &page, id, failure.status, Some(notice), &chosen).await
        }
    }
}
