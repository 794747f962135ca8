//! The checkout: the customer's hold with its countdown, a price tier per ticket, the wallet
//! balance, and the purchase (paid from the wallet) or the release of the hold.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_engine::{EngineError, HoldView, TierChoice};
use boxoffice_storage::{CustomerId, HoldId, Money, PriceList, ShowtimeId};
use maud::{Markup, html};

use super::context::Page;
use super::errors;
use super::format;
use super::forms::{FormData, to_login};
use super::i18n::Arg;
use super::layout::{self, Area, Tone};
use super::seats::{ShowtimeInfo, hold_seats, tier_name};
use crate::error::ApiError;
use crate::state::AppState;

/// The checkout routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showtimes/{id}/checkout", get(checkout_page))
        .route("/showtimes/{id}/purchase", post(purchase))
}

async fn checkout_page(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Site) };
    let Some(customer) = page.customer() else { return to_login(&format!("/showtimes/{id}/checkout")).into_response() };
    render(&state, &page, id, customer, StatusCode::OK, None, &FormData::default()).await
}

async fn render(
    state: &AppState,
    page: &Page,
    id: ShowtimeId,
    customer: CustomerId,
    status: StatusCode,
    notice: Option<Markup>,
    form: &FormData,
) -> Response {
    let hold = match state.engine.current_hold(id, customer).await {
        Ok(Some(hold)) => hold,
        Ok(None) => return Redirect::to(&format!("/showtimes/{id}?notice=hold-expired")).into_response(),
        Err(error) => return errors::page_for(page, Area::Site, &error.into()),
    };
    let loaded = async {
        let info = ShowtimeInfo::load(state, id).await?;
        let balance = state.storage.wallet_balance(customer, state.currency()).await?;
        Ok::<_, ApiError>((info, balance))
    };
    let (info, balance) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return errors::page_for(page, Area::Site, &error),
    };
    let prices = &info.showtime.details.prices;
    let verified = page.identity.is_some_and(|i| i.email_verified);
    let has_notice = notice.is_some();
    let body = html! {
        (info.heading(page))
        h2 { (page.t("checkout-title")) }
        @if let Some(notice) = notice { (notice) }
        (countdown(page, &hold))
        // Said once: a refused payment brings the same message as its notice.
        @if !verified && !has_notice {
            (layout::notice(Tone::Error, &page.t("error-email-unverified")))
        }
        form method="post" action=(format!("/showtimes/{id}/purchase")) {
            (layout::csrf_field(page))
            input type="hidden" name="hold_id" value=(hold.hold_id);
            fieldset {
                legend { (page.t("checkout-tiers")) }
                @for (index, ticket) in tickets(&hold).iter().enumerate() {
                    @let field = format!("tier_{index}");
                    div class="field" {
                        label for=(field) { (ticket_label(page, ticket.as_deref(), index)) }
                        select id=(field) name=(field) {
                            @for tier in &prices.tiers {
                                option value=(tier.tier) selected[form.get(&field) == tier.tier] {
                                    (tier_name(page, &tier.tier)) " — " (format::money(page.language(), Money::new(tier.price_minor, prices.currency)))
                                }
                            }
                        }
                    }
                }
            }
            p { (page.tr.with("checkout-balance", &[("balance", Arg::Text(&format::money(page.language(), balance)))])) }
            div class="actions" {
                button type="submit" data-hold-submit disabled[!verified] { (page.t("checkout-pay")) }
            }
        }
        form method="post" action=(format!("/showtimes/{id}/release")) {
            (layout::csrf_field(page))
            input type="hidden" name="hold_id" value=(hold.hold_id);
            button type="submit" class="secondary" { (page.t("checkout-release")) }
        }
        script src=(super::assets::COUNTDOWN_JS) defer {}
    };
    layout::respond(status, layout::shell(page, Area::Site, &page.t("checkout-title"), body))
}

/// The hold's deadline: a time without scripts, a ticking countdown with them.
#[must_use]
pub fn countdown(page: &Page, hold: &HoldView) -> Markup {
    let until = format::time(page.tz, hold.expires_at);
    html! {
        div class="notice notice-info" data-expires-at=(format::machine(hold.expires_at))
            data-left=(page.tr.with("hold-time-left", &[("time", Arg::Text("{time}"))]))
            data-expired=(page.t("notice-hold-expired")) {
            p { (page.tr.with("hold-seats", &[("seats", Arg::Text(&hold_seats(page, &hold.seats, hold.quantity)))])) }
            p { span class="countdown" { (page.tr.with("hold-until", &[("time", Arg::Text(&until))])) } }
        }
    }
}

/// One entry per ticket: the seat label, or `None` for general admission.
fn tickets(hold: &HoldView) -> Vec<Option<String>> {
    if hold.seats.is_empty() {
        (0..hold.quantity).map(|_| None).collect()
    } else {
        hold.seats.iter().cloned().map(Some).collect()
    }
}

fn ticket_label(page: &Page, seat: Option<&str>, index: usize) -> String {
    match seat {
        Some(seat) => page.tr.with("checkout-seat", &[("seat", Arg::Text(seat))]),
        None => page.tr.with("checkout-ticket", &[("number", Arg::Number(i64::try_from(index + 1).unwrap_or(0)))]),
    }
}

/// The tier chosen for each ticket (`tier_{index}`), checked against the price list.
///
/// # Errors
/// A missing or unknown tier: the message id.
pub fn tier_choices(form: &FormData, hold: &HoldView, prices: &PriceList) -> Result<Vec<TierChoice>, &'static str> {
    tickets(hold)
        .into_iter()
        .enumerate()
        .map(|(index, seat)| {
            let tier = form.get(&format!("tier_{index}"));
            if prices.price(tier).is_none() {
                return Err("checkout-bad-tier");
            }
            Ok(TierChoice { seat, tier: tier.to_owned() })
        })
        .collect()
}

async fn purchase(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = raw.parse::<ShowtimeId>() else { return errors::not_found(&page, Area::Site) };
    let Some(customer) = page.customer() else { return to_login(&format!("/showtimes/{id}/checkout")).into_response() };
    let form = FormData(form);
    let expired = || Redirect::to(&format!("/showtimes/{id}?notice=hold-expired")).into_response();
    let Ok(hold_id) = form.get("hold_id").parse::<HoldId>() else { return expired() };
    let hold = match state.engine.current_hold(id, customer).await {
        Ok(Some(hold)) if hold.hold_id == hold_id => hold,
        Ok(_) => return expired(),
        Err(error) => return errors::page_for(&page, Area::Site, &error.into()),
    };
    if !page.identity.is_some_and(|i| i.email_verified) {
        let notice = layout::notice(Tone::Error, &page.t("error-email-unverified"));
        return render(&state, &page, id, customer, StatusCode::FORBIDDEN, Some(notice), &form).await;
    }
    let prices = match state.storage.showtime(id).await {
        Ok(Some(showtime)) => showtime.details.prices,
        Ok(None) => return errors::page_for(&page, Area::Site, &ApiError::not_found("showtime", id)),
        Err(error) => return errors::page_for(&page, Area::Site, &error.into()),
    };
    let tiers = match tier_choices(&form, &hold, &prices) {
        Ok(tiers) => tiers,
        Err(message) => {
            let notice = layout::notice(Tone::Error, &page.t(message));
            return render(&state, &page, id, customer, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), &form).await;
        }
    };
    match state.engine.purchase(id, customer, hold_id, tiers).await {
        Ok(booking) => {
            crate::mail::notify::booking_confirmed(&state, &booking);
            Redirect::to(&format!("/bookings/{}?new=1", booking.record.id)).into_response()
        }
        Err(EngineError::HoldNotFound) => expired(),
        Err(error) => {
            let error = ApiError::from(error);
            let notice = errors::notice(&page, &error);
            render(&state, &page, id, customer, error.status(), Some(notice), &form).await
        }
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{Currency, PriceTier, Timestamp};

    use super::*;

    #[test]
    fn every_ticket_needs_a_known_tier() {
        let hold = HoldView {
            hold_id: HoldId::new(),
            showtime_id: ShowtimeId::new(),
            seats: vec!["A1".into(), "A2".into()],
            quantity: 2,
            expires_at: Timestamp::from_millis(0),
        };
        let prices = PriceList {
            currency: "EUR".parse::<Currency>().expect("currency"),
            tiers: vec![
                PriceTier { tier: "full".into(), price_minor: 1200 },
                PriceTier { tier: "child".into(), price_minor: 800 },
            ],
        };
        let form = |pairs: &[(&str, &str)]| FormData(pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect());
        let chosen = tier_choices(&form(&[("tier_0", "full"), ("tier_1", "child")]), &hold, &prices).expect("valid");
        assert_eq!(chosen[1], TierChoice { seat: Some("A2".into()), tier: "child".into() });
        assert_eq!(tier_choices(&form(&[("tier_0", "full")]), &hold, &prices), Err("checkout-bad-tier"));
        assert_eq!(
            tier_choices(&form(&[("tier_0", "full"), ("tier_1", "vip")]), &hold, &prices),
            Err("checkout-bad-tier")
        );
    }
}
