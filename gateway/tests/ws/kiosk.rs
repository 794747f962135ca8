//! Kiosks: hold and buy for a walk-in customer, paid at the (fake) card terminal; and
//! customers buying from their wallet over the same socket.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::client::{FakeTerminal, Ws};
use crate::helpers::{expect_json, spawn_app};
use crate::{customer, seat_map, showtime, verified_customer};

#[tokio::test]
async fn a_kiosk_holds_and_buys_at_the_card_terminal() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let mut watcher = Ws::connect(&app).await;
    watcher.subscribe(&show, None).await;
    watcher.recv().await;

    let mut kiosk = Ws::connect(&app).await;
    let auth = kiosk.request("auth", json!({"token": app.admin_token, "kiosk": "lobby-1"})).await;
    assert_eq!((auth["principal"].as_str(), auth["kiosk"].as_str()), (Some("kiosk"), Some("lobby-1")), "{auth}");
    let held = kiosk.request("hold", json!({"showtime_id": show, "seats": ["B2", "B3"]})).await;
    assert_eq!(held["type"], "held", "{held}");
    let hold_id = held["hold"]["hold_id"].clone();
    let tiers = json!([{"seat": "B2", "tier": "full"}, {"seat": "B3", "tier": "child"}]);
    let required = kiosk.request("purchase", json!({"showtime_id": show, "hold_id": hold_id, "tiers": tiers})).await;
    assert_eq!(required["type"], "payment_required", "{required}");
    assert_eq!(required["total"], json!({"amount_minor": 1950, "currency": "EUR"}));
    assert_eq!(required["lines"].as_array().map(Vec::len), Some(2));

    let terminal = FakeTerminal { decline_above_minor: 5000 };
    let approval = terminal.charge(required["total"]["amount_minor"].as_i64().unwrap()).expect("approved");
    let payment = required["payment_id"].clone();
    // A mistyped approval code is refused and leaves the payment pending.
    let typo = kiosk.request("confirm_payment", json!({"payment_id": payment, "terminal_ref": "T 1"})).await;
    assert_eq!(typo["code"], "invalid_request", "{typo}");
    let bought = kiosk.request("confirm_payment", json!({"payment_id": payment, "terminal_ref": approval})).await;
    assert_eq!(bought["type"], "purchased", "{bought}");
    let booking = &bought["booking"];
    assert_eq!(
        (booking["status"].as_str(), booking["total"]["amount_minor"].as_i64()),
        (Some("confirmed"), Some(1950))
    );

    assert_eq!(watcher.recv().await["change"], "held");
    let sold = watcher.recv().await;
    assert_eq!((sold["change"].as_str(), sold["seq"].as_u64()), (Some("sold"), Some(2)));
    let path = format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap());
    let stored = expect_json(app.staff(Method::GET, &path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["reference"], booking["reference"]);

    let again = kiosk.request("confirm_payment", json!({"payment_id": payment, "terminal_ref": approval})).await;
    assert_eq!(again["code"], "payment_not_found");
    let cancelled = kiosk.request("cancel", json!({"booking_id": booking["id"]})).await;
    assert_eq!(
        (cancelled["type"].as_str(), cancelled["booking"]["status"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );
    assert_eq!(watcher.recv().await["change"], "booking_cancelled");
}

#[tokio::test]
async fn a_declined_card_aborts_the_payment_and_keeps_the_hold() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let mut kiosk = Ws::connect_with(&app, Some(&app.admin_token), None).await;
    let held = kiosk.request("hold", json!({"showtime_id": show, "seats": ["A1", "A2", "A3"]})).await;
    let hold_id = held["hold"]["hold_id"].clone();
    let required = kiosk.request("purchase", json!({"showtime_id": show, "hold_id": hold_id})).await;
    assert_eq!(required["total"]["amount_minor"], 3750);
    let terminal = FakeTerminal { decline_above_minor: 2000 };
    assert!(terminal.charge(3750).is_none(), "declined");
    let aborted = kiosk.request("abort_payment", json!({"payment_id": required["payment_id"]})).await;
    assert_eq!(aborted["type"], "payment_aborted");
    assert_eq!(seat_map(&app, &show).await["counts"]["held"], 3, "the hold stays");
    let released = kiosk.request("release", json!({"showtime_id": show, "hold_id": hold_id})).await;
    assert_eq!(released["type"], "released");
    assert_eq!(seat_map(&app, &show).await["counts"]["free"], 8);
}

#[tokio::test]
async fn a_customer_buys_from_the_wallet_and_cannot_use_the_terminal() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let token = verified_customer(&app).await;
    let mut ws = Ws::connect_with(&app, Some(&token), None).await;
    let held = ws.request("hold", json!({"showtime_id": show, "seats": ["A4"]})).await;
    let hold_id = held["hold"]["hold_id"].clone();
    let bought = ws.request("purchase", json!({"showtime_id": show, "hold_id": hold_id})).await;
    assert_eq!(
        (bought["type"].as_str(), bought["booking"]["total"]["amount_minor"].as_i64()),
        (Some("purchased"), Some(1250)),
        "{bought}"
    );
    let e = ws.request("confirm_payment", json!({"payment_id": uuid::Uuid::now_v7(), "terminal_ref": "T-1"})).await;
    assert_eq!(e["code"], "forbidden");
    let mut other = Ws::connect_with(&app, Some(&customer(&app).await), None).await;
    let taken = other.request("hold", json!({"showtime_id": show, "seats": ["A4"]})).await;
    assert_eq!((taken["code"].as_str(), taken["seats"][0].as_str()), (Some("seats_unavailable"), Some("A4")));
}
