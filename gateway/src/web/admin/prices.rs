//! Price tiers in the console. A showtime carries its own price list (so a sold ticket
//! keeps its price); this page manages the tiers across every upcoming showtime at once:
//! it lists each tier with its prices and how many showtimes offer it, adds a tier or sets
//! its price everywhere, and removes a tier everywhere behind a confirmation.
//!
//! Every change is a `PATCH /showtimes/{id}` through the API (validation, audit log), one
//! per showtime; showtimes that started meanwhile, or whose only tier it is, are skipped
//! and counted. New showtimes start from the tiers of the showtime form.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use boxoffice_storage::{Money, PageRequest, PriceList, PriceTier, Showtime, ShowtimeFilter, ShowtimeStatus};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::guard;
use super::showtimes::parse_price;
use super::widgets::{self, respond};
use crate::auth::Permission;
use crate::state::AppState;
use crate::web::context::Page;
use crate::web::errors;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::i18n::Arg;
use crate::web::layout::{self, Area, Tone};
use crate::web::seats::tier_name;

/// Upcoming showtimes looked at (a page of the listing at a time).
const SHOWTIMES_MAX: u32 = 2000;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/prices", get(list).post(set))
        .route("/admin/prices/{tier}/delete", get(delete_form).post(delete))
}

/// `?updated=&skipped=` after a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Outcome {
    updated: String,
    skipped: String,
}

/// One tier across the upcoming showtimes.
#[derive(Debug, PartialEq, Eq)]
pub struct TierSummary {
    /// The tier's name, e.g. `student`.
    pub tier: String,
    /// Lowest price, in minor units.
    pub min_minor: i64,
    /// Highest price, in minor units.
    pub max_minor: i64,
    /// How many upcoming showtimes offer it.
    pub showtimes: usize,
}

/// The tiers of `showtimes`, in the order they first appear.
#[must_use]
pub fn summarize(showtimes: &[Showtime]) -> Vec<TierSummary> {
    let mut tiers: Vec<TierSummary> = Vec::new();
    for tier in showtimes.iter().flat_map(|s| &s.details.prices.tiers) {
        match tiers.iter_mut().find(|t| t.tier == tier.tier) {
            Some(t) => {
                t.min_minor = t.min_minor.min(tier.price_minor);
                t.max_minor = t.max_minor.max(tier.price_minor);
                t.showtimes += 1;
            }
            None => tiers.push(TierSummary {
                tier: tier.tier.clone(),
                min_minor: tier.price_minor,
                max_minor: tier.price_minor,
                showtimes: 1,
            }),
        }
    }
    tiers
}

/// `prices` with `tier` at `minor` (added at the end when missing); `None` when it has no
/// room for another tier or nothing changes.
#[must_use]
pub fn with_tier(prices: &PriceList, tier: &str, minor: i64) -> Option<PriceList> {
    let mut changed = prices.clone();
    let room = changed.tiers.len() < PriceList::TIERS_MAX;
    match changed.tiers.iter_mut().find(|t| t.tier == tier) {
        Some(t) if t.price_minor == minor => return None,
        Some(t) => t.price_minor = minor,
        None if !room => return None,
        None => changed.tiers.push(PriceTier { tier: tier.to_owned(), price_minor: minor }),
    }
    Some(changed)
}

/// `prices` without `tier`; `None` when it is not there or is the only tier.
#[must_use]
pub fn without_tier(prices: &PriceList, tier: &str) -> Option<PriceList> {
    if prices.tiers.len() < 2 || !prices.tiers.iter().any(|t| t.tier == tier) {
        return None;
    }
    let mut changed = prices.clone();
    changed.tiers.retain(|t| t.tier != tier);
    Some(changed)
}

/// A tier name the API accepts ([`PriceTier::valid_name`]).
#[must_use]
pub fn valid_tier_name(name: &str) -> bool {
    PriceTier::valid_name(name)
}

/// Scheduled showtimes that have not started, soonest first.
async fn upcoming(state: &AppState) -> Result<Vec<Showtime>, crate::error::ApiError> {
    let now = state.clock.now();
    let filter = ShowtimeFilter { from: Some(now), ..Default::default() };
    let mut all = Vec::new();
    loop {
        let offset = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let got = state.storage.list_showtimes(&filter, PageRequest { offset, limit: 200 }).await?;
        let done = got.items.len() < 200 || offset + 200 >= SHOWTIMES_MAX;
        all.extend(got.items);
        if done {
            break;
        }
    }
    all.retain(|s| s.status == ShowtimeStatus::Scheduled && s.details.starts_at > now);
    Ok(all)
}

fn money(page: &Page, state: &AppState, minor: i64) -> String {
    format::money(page.language(), Money::new(minor, state.currency()))
}

fn tier_form(page: &Page, form: &FormData) -> Markup {
    html! {
        h2 { (page.t("admin-prices-set")) }
        p class="hint" { (page.t("admin-prices-set-hint")) }
        form method="post" action="/admin/prices" {
            (layout::csrf_field(page))
            (widgets::input_with_hint(page, "tier", "admin-tier-name", form.get("tier"), "admin-tier-name-hint"))
            (widgets::input(page, "price", "admin-tier-price", "text", form.get("price"), true))
            div class="actions" { button type="submit" { (page.t("admin-prices-apply")) } }
        }
    }
}

async fn page_body(state: &AppState, page: &Page, notice: Option<Markup>, form: &FormData) -> Result<Markup, Response> {
    let showtimes = upcoming(state).await.map_err(|e| errors::page_for(page, Area::Admin, &e))?;
    let tiers = summarize(&showtimes);
    Ok(html! {
        @if let Some(notice) = notice { (notice) }
        p { (page.tr.with("admin-prices-intro", &[("count", Arg::Number(i64::try_from(showtimes.len()).unwrap_or(i64::MAX)))])) }
        @if tiers.is_empty() {
            p { (page.t("admin-prices-none")) }
        } @else {
            div class="table-wrap" { table {
                thead { tr {
                    th scope="col" { (page.t("admin-tier-name")) }
                    th scope="col" class="num" { (page.t("admin-tier-price")) }
                    th scope="col" class="num" { (page.t("admin-prices-showtimes")) }
                    th scope="col" { span class="sr-only" { (page.t("admin-actions")) } }
                } }
                tbody {
                    @for t in &tiers {
                        tr {
                            td { (tier_name(page, &t.tier)) " " code { (t.tier) } }
                            td class="num" {
                                (money(page, state, t.min_minor))
                                @if t.max_minor != t.min_minor { " – " (money(page, state, t.max_minor)) }
                            }
                            td class="num" { (t.showtimes) }
                            td { a href=(format!("/admin/prices/{}/delete", t.tier)) { (page.t("admin-prices-remove")) } }
                        }
                    }
                }
            } }
        }
        (tier_form(page, form))
    })
}

async fn list(State(state): State<AppState>, page: Page, Query(q): Query<Outcome>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let notice = outcome_notice(&page, &q);
    match page_body(&state, &page, notice, &FormData::default()).await {
        Ok(body) => respond(&page, StatusCode::OK, &page.t("admin-prices-title"), body),
        Err(response) => response,
    }
}

fn outcome_notice(page: &Page, q: &Outcome) -> Option<Markup> {
    let updated = q.updated.parse::<i64>().ok()?;
    let skipped = q.skipped.parse::<i64>().unwrap_or(0);
    let mut text = page.tr.with("admin-prices-updated", &[("count", Arg::Number(updated))]);
    if skipped > 0 {
        text.push(' ');
        text.push_str(&page.tr.with("admin-prices-skipped", &[("count", Arg::Number(skipped))]));
    }
    Some(layout::notice(Tone::Success, &text))
}

/// What a change does to one showtime's price list.
enum Edit {
    /// Store this list.
    Set(PriceList),
    /// Nothing to change.
    Keep,
    /// The change cannot apply here (no room for another tier, or its only tier): counted.
    Skip,
}

/// Applies `change` to every upcoming showtime through the API: `(updated, skipped)`.
async fn apply(state: &AppState, page: &Page, change: impl Fn(&PriceList) -> Edit) -> Result<(usize, usize), Response> {
    let showtimes = upcoming(state).await.map_err(|e| errors::page_for(page, Area::Admin, &e))?;
    let (mut updated, mut skipped) = (0, 0);
    for showtime in &showtimes {
        let prices = match change(&showtime.details.prices) {
            Edit::Set(prices) => prices,
            Edit::Keep => continue,
            Edit::Skip => {
                skipped += 1;
                continue;
            }
        };
        let body = json!({ "prices": prices });
        match super::api::call(state, page, Method::PATCH, &format!("/showtimes/{}", showtime.id), Some(body)).await {
            Ok(_) => updated += 1,
            // Started or cancelled meanwhile: it keeps its prices.
            Err(failure) if failure.status == StatusCode::CONFLICT => skipped += 1,
            Err(failure) => {
                return Err(layout::message_page(
                    page,
                    Area::Admin,
                    failure.status,
                    &page.t("error-title"),
                    &failure.message(page),
                ));
            }
        }
    }
    Ok((updated, skipped))
}

async fn set(State(state): State<AppState>, page: Page, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    let form = FormData(form);
    let tier = form.get("tier").trim().to_owned();
    let price = parse_price(form.get("price")).filter(|minor| *minor <= PriceTier::PRICE_MINOR_MAX);
    let checked = match (valid_tier_name(&tier), price) {
        (false, _) => Err("admin-bad-tier-name"),
        (true, None) => Err("admin-bad-price"),
        (true, Some(minor)) => Ok(minor),
    };
    let minor = match checked {
        Ok(minor) => minor,
        Err(id) => {
            let notice = layout::notice(Tone::Error, &page.t(id));
            return match page_body(&state, &page, Some(notice), &form).await {
                Ok(body) => respond(&page, StatusCode::UNPROCESSABLE_ENTITY, &page.t("admin-prices-title"), body),
                Err(response) => response,
            };
        }
    };
    let result = apply(&state, &page, |prices| match with_tier(prices, &tier, minor) {
        Some(changed) => Edit::Set(changed),
        // Unchanged because it already has this price, or skipped for want of room.
        None if prices.tiers.iter().any(|t| t.tier == tier) => Edit::Keep,
        None => Edit::Skip,
    })
    .await;
    redirect_to_outcome(result)
}

/// Back to the list with the counts of a change.
fn redirect_to_outcome(result: Result<(usize, usize), Response>) -> Response {
    match result {
        Ok((updated, skipped)) => {
            Redirect::to(&format!("/admin/prices?updated={updated}&skipped={skipped}")).into_response()
        }
        Err(response) => response,
    }
}

async fn delete_form(State(state): State<AppState>, page: Page, Path(tier): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    if !valid_tier_name(&tier) {
        return errors::not_found(&page, Area::Admin);
    }
    let showtimes = match upcoming(&state).await {
        Ok(showtimes) => showtimes,
        Err(error) => return errors::page_for(&page, Area::Admin, &error),
    };
    let count = showtimes.iter().filter(|s| s.details.prices.tiers.iter().any(|t| t.tier == tier)).count();
    if count == 0 {
        return errors::not_found(&page, Area::Admin);
    }
    let name = tier_name(&page, &tier);
    let question = page.tr.with(
        "admin-prices-remove-question",
        &[("tier", Arg::Text(&name)), ("count", Arg::Number(i64::try_from(count).unwrap_or(i64::MAX)))],
    );
    let body = widgets::confirm(
        &page,
        &question,
        &format!("/admin/prices/{tier}/delete"),
        "admin-prices-remove",
        "/admin/prices",
        None,
    );
    respond(&page, StatusCode::OK, &page.t("admin-prices-remove-title"), body)
}

async fn delete(State(state): State<AppState>, page: Page, Path(tier): Path<String>) -> Response {
    if let Err(response) = guard::require(&page, Permission::ManageCatalog) {
        return *response;
    }
    if !valid_tier_name(&tier) {
        return errors::not_found(&page, Area::Admin);
    }
    let result = apply(&state, &page, |prices| match without_tier(prices, &tier) {
        Some(changed) => Edit::Set(changed),
        // Its only tier: the showtime keeps it.
        None if prices.tiers.iter().any(|t| t.tier == tier) => Edit::Skip,
        None => Edit::Keep,
    })
    .await;
    redirect_to_outcome(result)
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{Currency, PriceTier};

    use super::*;

    fn prices(tiers: &[(&str, i64)]) -> PriceList {
        PriceList {
            currency: Currency::EUR,
            tiers: tiers.iter().map(|(t, p)| PriceTier { tier: (*t).to_owned(), price_minor: *p }).collect(),
        }
    }

    #[test]
    fn tiers_are_added_set_and_removed() {
        let list = prices(&[("full", 1250), ("child", 700)]);
        assert_eq!(with_tier(&list, "child", 800), Some(prices(&[("full", 1250), ("child", 800)])));
        assert_eq!(with_tier(&list, "child", 700), None, "nothing changes");
        assert_eq!(with_tier(&list, "student", 850), Some(prices(&[("full", 1250), ("child", 700), ("student", 850)])));
        let ten: Vec<(String, i64)> = (0..10).map(|i| (format!("t{}", char::from(b'a' + i)), 100)).collect();
        let ten: Vec<(&str, i64)> = ten.iter().map(|(t, p)| (t.as_str(), *p)).collect();
        assert_eq!(with_tier(&prices(&ten), "student", 850), None, "no room");
        assert_eq!(without_tier(&list, "child"), Some(prices(&[("full", 1250)])));
        assert_eq!(without_tier(&prices(&[("full", 1250)]), "full"), None, "the only tier stays");
        assert_eq!(without_tier(&list, "senior"), None);
        assert!(valid_tier_name("student") && valid_tier_name("early_bird"));
        assert!(!valid_tier_name("") && !valid_tier_name("Student") && !valid_tier_name("a-b"));
    }
}
