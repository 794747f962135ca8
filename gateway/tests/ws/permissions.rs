//! Who may do what on a socket: the same rules as over HTTP (a verified email to buy, the
//! `Refund` permission to cancel someone else's booking), a token revoked while the socket
//! is open, and the session cookie accepted from this site's pages only.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::client::{Ws, url};
use crate::helpers::{CUSTOMER_PASSWORD, TestApp, expect_json, staff_token};
use crate::{customer, showtime, verified_customer};

/// A booking of `seats` bought over HTTP by a verified customer.
async fn http_booking(app: &TestApp, show: &str, seats: &[&str]) -> Value {
    let token = verified_customer(app).await;
    let hold = crate::http_hold(app, &token, show, seats).await;
    let path = format!("/api/v1/showtimes/{show}/holds/{}/purchase", hold["hold_id"].as_str().unwrap());
    expect_json(app.customer(&token, Method::POST, &path).send().await.unwrap(), StatusCode::CREATED).await
}

#[tokio::test]
async fn a_customer_buys_over_the_socket_only_with_a_verified_email() {
    let app = crate::helpers::spawn_app().await;
    let show = showtime(&app).await;
    let mut ws = Ws::connect_with(&app, Some(&customer(&app).await), None).await;
    let held = ws.request("hold", json!({"showtime_id": show, "seats": ["A1"]})).await;
    assert_eq!(held["type"], "held", "{held}");
    let refused = ws.request("purchase", json!({"showtime_id": show, "hold_id": held["hold"]["hold_id"]})).await;
    assert_eq!(refused["code"], "email_unverified", "{refused}");
    assert_eq!(crate::seat_map(&app, &show).await["counts"]["held"], 1, "the hold stays");
}

#[tokio::test]
async fn only_staff_who_may_refund_cancel_someone_elses_booking_from_a_device() {
    let app = crate::helpers::spawn_app().await;
    let show = showtime(&app).await;
    let booking = http_booking(&app, &show, &["B1"]).await;
    let booking_path = format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap());

    let cashier = staff_token(&app, "cashier", "till").await;
    let mut till = Ws::connect(&app).await;
    let auth = till.request("auth", json!({"token": cashier, "kiosk": "till-1"})).await;
    assert_eq!(auth["principal"], "kiosk", "{auth}");
    let refused = till.request("cancel", json!({"booking_id": booking["id"]})).await;
    assert_eq!(refused["type"], "error", "{refused}");
    let stored = expect_json(app.staff(Method::GET, &booking_path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["status"], "confirmed", "the cashier's socket cancelled nothing");

    let manager = staff_token(&app, "manager", "boss").await;
    let mut desk = Ws::connect(&app).await;
    desk.request("auth", json!({"token": manager, "kiosk": "desk-1"})).await;
    let cancelled = desk.request("cancel", json!({"booking_id": booking["id"]})).await;
    assert_eq!(
        (cancelled["type"].as_str(), cancelled["booking"]["status"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );

    // Demoted while the socket is open: the role of the moment counts.
    let staff =
        expect_json(app.staff(Method::GET, "/api/v1/staff?limit=200").send().await.unwrap(), StatusCode::OK).await;
    let boss = staff["items"].as_array().unwrap().iter().find(|a| a["username"] == "boss").unwrap()["id"].clone();
    let path = format!("/api/v1/staff/{}", boss.as_str().unwrap());
    let demoted = app.staff(Method::PATCH, &path).json(&json!({"role": "cashier"})).send().await.unwrap();
    expect_json(demoted, StatusCode::OK).await;
    let second = http_booking(&app, &show, &["B2"]).await;
    let refused = desk.request("cancel", json!({"booking_id": second["id"]})).await;
    assert_eq!(refused["type"], "error", "{refused}");
}

#[tokio::test]
async fn a_token_revoked_while_the_socket_is_open_stops_working() {
    let app = crate::helpers::spawn_app().await;
    let show = showtime(&app).await;
    let created = expect_json(
        app.staff(Method::POST, "/api/v1/kiosks").json(&json!({"name": "lobby-9"})).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let mut kiosk = Ws::connect_with(&app, created["token"].as_str(), None).await;
    let held = kiosk.request("hold", json!({"showtime_id": show, "seats": ["A2"]})).await;
    assert_eq!(held["type"], "held", "{held}");

    let revoke = format!("/api/v1/kiosks/{}/revoke", created["account"]["id"].as_str().unwrap());
    let response = app.staff(Method::POST, &revoke).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refused = kiosk.request("hold", json!({"showtime_id": show, "seats": ["A3"]})).await;
    assert_eq!(refused["code"], "unauthorized", "{refused}");
    let still = kiosk.request("release", json!({"showtime_id": show, "hold_id": held["hold"]["hold_id"]})).await;
    assert_eq!(still["code"], "unauthorized", "the socket is anonymous now: {still}");
}

#[tokio::test]
async fn the_session_cookie_opens_a_socket_from_this_site_only() {
    let app = crate::helpers::spawn_app().await;
    let (_, created) = app.create_customer("Cookie", "cookie@example.com").await;
    let login = json!({"email": created["account"]["email"], "password": CUSTOMER_PASSWORD, "session": true});
    let response = app.request(Method::POST, "/api/v1/auth/login").json(&login).send().await.unwrap();
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("boxoffice_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let host = app.address.trim_start_matches("http://").to_owned();

    let upgrade = |origin: String| {
        let mut request = url(&app).into_client_request().unwrap();
        request.headers_mut().insert("cookie", format!("boxoffice_session={session}").parse().unwrap());
        request.headers_mut().insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match upgrade("http://evil.example".to_owned()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN.as_u16());
        }
        other => panic!("a socket from another site must be refused: {:?}", other.map(|_| ())),
    }
    let (mut socket, _) = upgrade(format!("http://{host}")).await.expect("a page of this site");
    let welcome = futures::StreamExt::next(&mut socket).await.unwrap().unwrap();
    let welcome: Value = serde_json::from_str(welcome.to_text().unwrap()).unwrap();
    assert_eq!(welcome["principal"], "customer", "{welcome}");
}
