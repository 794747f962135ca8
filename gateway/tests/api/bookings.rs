//! Bookings: seat maps, holds, purchases, booking lookup and cancellation, seat blocking and
//! idempotent retries, through the HTTP API only. Every refusal is checked for its status,
//! its problem `code` and its extension members, and for changing nothing.

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, TestApp, at, expect_json, expect_problem, showtime_body, spawn_app, spawn_app_with};

/// A well-formed id that names nothing.
const UNKNOWN_ID: &str = "01a200a0-0000-7000-8000-000000000000";
/// The starting credit of every customer (5000.00 EUR).
const CREDIT: i64 = 500_000;
/// The `full` and `child` prices of `showtime_body`.
const FULL: i64 = 1250;
const CHILD: i64 = 700;

/// A showtime under test and the app serving it.
struct Show<'a> {
    app: &'a TestApp,
    id: String,
}

/// A reserved-seating showtime tomorrow in a new small room (A1-A4, B1-B4).
async fn reserved(app: &TestApp) -> Show<'_> {
    showtime(app, SMALL, &at(1, 0), |_| {}).await
}

/// A general-admission showtime tomorrow with `capacity` tickets.
async fn general_admission(app: &TestApp, capacity: u32) -> Show<'_> {
    let seating = json!({"kind": "general_admission", "capacity": capacity});
    showtime(app, SMALL, &at(1, 0), |body| body["seating"] = seating).await
}

/// A showtime in a new auditorium with `rows`, its body changed by `adjust` first.
async fn showtime<'a>(
    app: &'a TestApp,
    rows: &[(&str, &str)],
    starts_at: &str,
    adjust: impl FnOnce(&mut Value),
) -> Show<'a> {
    let film = app.create_film("Film", 100, &["drama"], &["en"]).await;
    let auditorium = app.create_auditorium("Salle", rows).await;
    let mut body = showtime_body(&film, &auditorium, starts_at);
    adjust(&mut body);
    let response = app.staff(Method::POST, "/api/v1/showtimes").json(&body).send().await.unwrap();
    let created = expect_json(response, StatusCode::CREATED).await;
    Show { app, id: created["id"].as_str().unwrap().to_owned() }
}

/// A new customer's token (`name@example.com`).
async fn customer(app: &TestApp, name: &str) -> String {
    app.create_customer(name, &format!("{name}@example.com")).await.0
}

/// The customer's wallet balance in minor units (checking the currency).
async fn balance(app: &TestApp, token: &str) -> i64 {
    let me = expect_json(app.customer(token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(me["balance"]["currency"], "EUR");
    me["balance"]["amount_minor"].as_i64().unwrap()
}

/// Money as the API writes it.
fn eur(amount_minor: i64) -> Value {
    json!({"amount_minor": amount_minor, "currency": "EUR"})
}

fn hold_id(hold: &Value) -> &str {
    hold["hold_id"].as_str().unwrap()
}

fn booking_path(booking: &Value) -> String {
    format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap())
}

/// Seat labels of a problem or hold, sorted (the API does not promise an order).
fn sorted_labels(labels: &Value) -> Vec<String> {
    let mut labels: Vec<String> = labels
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {labels}"))
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

fn labels(expected: &[&str]) -> Vec<String> {
    sorted_labels(&json!(expected))
}

/// `(label, tier, price)` of each booking line, checking the currency.
fn lines(booking: &Value) -> Vec<(String, String, i64)> {
    let lines = booking["lines"].as_array().unwrap_or_else(|| panic!("no lines: {booking}"));
    lines
        .iter()
        .map(|line| {
            assert_eq!(line["price"]["currency"], "EUR", "{line}");
            let text = |key: &str| line[key].as_str().unwrap().to_owned();
            (text("label"), text("tier"), line["price"]["amount_minor"].as_i64().unwrap())
        })
        .collect()
}

fn line(label: &str, tier: &str, price: i64) -> (String, String, i64) {
    (label.to_owned(), tier.to_owned(), price)
}

/// Whether `text` is a booking reference: `XXXX-XXXX` without look-alike characters.
fn is_reference(text: &str) -> bool {
    const ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    text.len() == 9 && text.chars().enumerate().all(|(i, c)| if i == 4 { c == '-' } else { ALPHABET.contains(c) })
}

fn millis(value: &Value) -> i64 {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("not a time: {value}")))
        .unwrap()
        .timestamp_millis()
}

impl Show<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/showtimes/{}{rest}", self.id)
    }

    async fn hold(&self, token: &str, body: Value) -> Response {
        self.app.customer(token, Method::POST, &self.path("/holds")).json(&body).send().await.unwrap()
    }

    /// Holds `seats`, expecting 201 naming them.
    async fn hold_seats(&self, token: &str, seats: &[&str]) -> Value {
        let hold = expect_json(self.hold(token, json!({"seats": seats})).await, StatusCode::CREATED).await;
        assert_eq!(hold["seats"], json!(seats), "{hold}");
        hold
    }

    async fn purchase(&self, token: &str, hold: &str, body: Option<Value>) -> Response {
        let request = self.app.customer(token, Method::POST, &self.path(&format!("/holds/{hold}/purchase")));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await.unwrap()
    }

    /// Holds and buys `seats` at the first tier; returns the booking.
    async fn buy(&self, token: &str, seats: &[&str]) -> Value {
        let hold = self.hold_seats(token, seats).await;
        expect_json(self.purchase(token, hold_id(&hold), None).await, StatusCode::CREATED).await
    }

    async fn current(&self, token: &str) -> Response {
        self.app.customer(token, Method::GET, &self.path("/holds/current")).send().await.unwrap()
    }

    async fn release(&self, token: &str, hold: &str) -> Response {
        self.app.customer(token, Method::DELETE, &self.path(&format!("/holds/{hold}"))).send().await.unwrap()
    }

    async fn block(&self, seats: &[&str], blocked: bool) -> Response {
        let body = json!({"seats": seats, "blocked": blocked});
        self.app.staff(Method::POST, &self.path("/seats/block")).json(&body).send().await.unwrap()
    }

    /// The seat map, checking that the counts add up to the capacity.
    async fn seat_map(&self) -> Value {
        let map = self.app.get_json(&self.path("/seats"), StatusCode::OK).await;
        let counts = &map["counts"];
        let sum: u64 = ["free", "held", "sold", "blocked"].iter().map(|k| counts[*k].as_u64().unwrap()).sum();
        assert_eq!(Some(sum), counts["capacity"].as_u64(), "free + held + sold + blocked = capacity: {counts}");
        map
    }

    /// Asserts every seat's status (the named ones held, sold or blocked, all others free)
    /// and the counts.
    async fn expect_seats(&self, held: &[&str], sold: &[&str], blocked: &[&str]) -> Value {
        let map = self.seat_map().await;
        for seat in map["seats"].as_array().unwrap() {
            let label = seat["label"].as_str().unwrap();
            let expected = [(held, "held"), (sold, "sold"), (blocked, "blocked")]
                .iter()
                .find(|(labels, _)| labels.contains(&label))
                .map_or("free", |(_, status)| status);
            assert_eq!(seat["status"], expected, "seat {label}");
        }
        let capacity = map["counts"]["capacity"].as_u64().unwrap();
        let (held, sold, blocked) = (held.len() as u64, sold.len() as u64, blocked.len() as u64);
        let free = capacity - held - sold - blocked;
        let expected = json!({"capacity": capacity, "free": free, "held": held, "sold": sold, "blocked": blocked});
        assert_eq!(map["counts"], expected);
        map
    }
}

#[tokio::test]
async fn seat_map_lists_every_seat_and_follows_holds_purchases_and_cancellations() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let map = show.expect_seats(&[], &[], &[]).await;
    let all: Vec<&str> = map["seats"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(all, ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]);
    assert_eq!((map["counts"]["capacity"].as_u64(), map["status"].as_str()), (Some(8), Some("scheduled")));
    assert_eq!(map["showtime_id"], show.id.as_str());
    assert_eq!(map["seating"], json!({"kind": "reserved"}));
    assert_eq!(map["prices"]["tiers"][1], json!({"tier": "child", "price_minor": CHILD}));
    assert_eq!((map["seats"][4]["row"].as_str(), map["seats"][4]["number"].as_u64()), (Some("B"), Some(1)));

    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let hold = show.hold_seats(&ada, &["A1", "A2"]).await;
    show.expect_seats(&["A1", "A2"], &[], &[]).await;
    let booking = expect_json(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::CREATED).await;
    show.expect_seats(&[], &["A1", "A2"], &[]).await;
    let bobs = show.hold_seats(&bob, &["B4"]).await;
    let map = show.expect_seats(&["B4"], &["A1", "A2"], &[]).await;
    assert!(map["seq"].as_u64().unwrap() >= 3, "the journal moved on: {}", map["seq"]);

    assert_eq!(show.release(&bob, hold_id(&bobs)).await.status(), StatusCode::NO_CONTENT);
    show.expect_seats(&[], &["A1", "A2"], &[]).await;
    let cancel = app.customer(&ada, Method::POST, &format!("{}/cancel", booking_path(&booking)));
    expect_json(cancel.send().await.unwrap(), StatusCode::OK).await;
    show.expect_seats(&[], &[], &[]).await;
}

#[tokio::test]
async fn unknown_showtime_is_404_and_a_bad_id_is_400() {
    let app = spawn_app().await;
    let ada = customer(&app, "ada").await;
    let response = app.request(Method::GET, &format!("/api/v1/showtimes/{UNKNOWN_ID}/seats")).send().await.unwrap();
    expect_problem(response, StatusCode::NOT_FOUND, "showtime_not_found").await;
    let unknown = Show { app: &app, id: UNKNOWN_ID.to_owned() };
    expect_problem(unknown.hold(&ada, json!({"seats": ["A1"]})).await, StatusCode::NOT_FOUND, "showtime_not_found")
        .await;
    expect_problem(unknown.block(&["A1"], true).await, StatusCode::NOT_FOUND, "showtime_not_found").await;

    let response = app.request(Method::GET, "/api/v1/showtimes/not-a-uuid/seats").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::BAD_REQUEST, "invalid_path").await;
    assert!(problem["detail"].as_str().unwrap().contains("not-a-uuid"), "{problem}");
    let bad = Show { app: &app, id: "not-a-uuid".to_owned() };
    expect_problem(bad.hold(&ada, json!({"seats": ["A1"]})).await, StatusCode::BAD_REQUEST, "invalid_path").await;
}

#[tokio::test]
async fn hold_answers_its_seats_and_expiry_and_is_current() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;

    let response = show.hold(&ada, json!({"seats": ["B2", "a3"]})).await;
    let hold = expect_json(response, StatusCode::CREATED).await;
    assert!(uuid::Uuid::parse_str(hold_id(&hold)).is_ok(), "{hold}");
    assert_eq!(hold["showtime_id"], show.id.as_str());
    assert_eq!(sorted_labels(&hold["seats"]), labels(&["A3", "B2"]), "labels are canonical");
    assert_eq!(hold["quantity"], 2);
    let left = millis(&hold["expires_at"]) - Utc::now().timestamp_millis();
    assert!((6 * 60_000..=7 * 60_000).contains(&left), "expires in about 7 minutes, not {left} ms");

    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    expect_problem(show.current(&bob).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    show.expect_seats(&["A3", "B2"], &[], &[]).await;
}

#[tokio::test]
async fn taken_seats_are_named_exactly() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob, cleo) = (customer(&app, "ada").await, customer(&app, "bob").await, customer(&app, "cleo").await);
    show.hold_seats(&ada, &["A1", "A2"]).await;
    show.buy(&bob, &["B1"]).await;

    let response = show.hold(&cleo, json!({"seats": ["A2", "A3", "B1", "B2"]})).await;
    let problem = expect_problem(response, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(sorted_labels(&problem["seats"]), labels(&["A2", "B1"]), "{problem}");
    let response = show.hold(&cleo, json!({"seats": ["B1"]})).await;
    let problem = expect_problem(response, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(problem["seats"], json!(["B1"]), "a sold seat");

    expect_problem(show.current(&cleo).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    show.expect_seats(&["A1", "A2"], &["B1"], &[]).await;
    show.hold_seats(&cleo, &["A3", "B2"]).await;
    show.expect_seats(&["A1", "A2", "A3", "B2"], &["B1"], &[]).await;
}

#[tokio::test]
async fn every_seat_taken_is_sold_out() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob, cleo) = (customer(&app, "ada").await, customer(&app, "bob").await, customer(&app, "cleo").await);
    show.hold_seats(&ada, &["A1", "A2", "A3", "A4"]).await;
    show.buy(&bob, &["B1", "B2", "B3", "B4"]).await;
    show.expect_seats(&["A1", "A2", "A3", "A4"], &["B1", "B2", "B3", "B4"], &[]).await;

    expect_problem(show.hold(&cleo, json!({"seats": ["A1"]})).await, StatusCode::CONFLICT, "sold_out").await;
    expect_problem(show.hold(&cleo, json!({"seats": ["B4", "A4"]})).await, StatusCode::CONFLICT, "sold_out").await;
    // Ada may still change her own hold; then a seat is free again and the answer names seats.
    show.hold_seats(&ada, &["A1"]).await;
    let problem =
        expect_problem(show.hold(&cleo, json!({"seats": ["A1"]})).await, StatusCode::CONFLICT, "seats_unavailable")
            .await;
    assert_eq!(problem["seats"], json!(["A1"]));
    show.hold_seats(&cleo, &["A4"]).await;
}

#[tokio::test]
async fn unknown_seats_are_named() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let response = show.hold(&ada, json!({"seats": ["A1", "Z9", "A5", "C1"]})).await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "unknown_seats").await;
    assert_eq!(sorted_labels(&problem["seats"]), labels(&["A5", "C1", "Z9"]), "{problem}");
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    show.expect_seats(&[], &[], &[]).await;
}

#[tokio::test]
async fn malformed_hold_requests_are_refused() {
    let app = spawn_app().await;
    let show = showtime(&app, &[("A", "SSSSSS|SSSSSS")], &at(1, 0), |_| {}).await;
    let ada = customer(&app, "ada").await;
    let eleven: Vec<String> = (1..=11).map(|n| format!("A{n}")).collect();
    let invalid_request = [
        json!({"seats": []}),
        json!({"seats": eleven}),
        json!({"seats": ["A1", "A2", "A1"]}),
        json!({"seats": ["A1", "a1"]}),
        json!({"quantity": 2}),
    ];
    for body in invalid_request {
        let problem =
            expect_problem(show.hold(&ada, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
                .await;
        assert!(problem["detail"].is_string(), "{body}: {problem}");
    }
    let both_or_neither = [json!({"seats": ["A1"], "quantity": 1}), json!({}), json!({"seats": [""]})];
    for body in both_or_neither {
        let response = show.hold(&ada, body.clone()).await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["field"], "seats", "{body}: {problem}");
    }
    let response = show.hold(&ada, json!({"seats": ["A1"], "colour": "red"})).await;
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    show.expect_seats(&[], &[], &[]).await;

    let ten: Vec<&str> = eleven[..10].iter().map(String::as_str).collect();
    show.hold_seats(&ada, &ten).await;
    show.expect_seats(&ten, &[], &[]).await;
}

#[tokio::test]
async fn a_new_hold_replaces_the_previous_one_atomically() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let first = show.hold_seats(&ada, &["A1", "A2"]).await;
    let second = show.hold_seats(&ada, &["A2", "A3"]).await;
    assert_ne!(hold_id(&first), hold_id(&second));
    show.expect_seats(&["A2", "A3"], &[], &[]).await;
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, second);
    expect_problem(show.release(&ada, hold_id(&first)).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    let response = show.purchase(&ada, hold_id(&first), None).await;
    expect_problem(response, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(balance(&app, &ada).await, CREDIT);

    // A refused replacement leaves the previous hold as it was.
    show.hold_seats(&bob, &["B1"]).await;
    let response = show.hold(&ada, json!({"seats": ["A4", "B1"]})).await;
    let problem = expect_problem(response, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(problem["seats"], json!(["B1"]));
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, second);
    show.expect_seats(&["A2", "A3", "B1"], &[], &[]).await;

    let third = show.hold_seats(&ada, &["A3"]).await;
    show.expect_seats(&["A3", "B1"], &[], &[]).await;
    expect_json(show.purchase(&ada, hold_id(&third), None).await, StatusCode::CREATED).await;
    assert_eq!(balance(&app, &ada).await, CREDIT - FULL);
}

#[tokio::test]
async fn general_admission_holds_quantities() {
    let app = spawn_app().await;
    let show = general_admission(&app, 5).await;
    let map = show.seat_map().await;
    assert_eq!(map["seats"], json!([]));
    assert_eq!(map["seating"], json!({"kind": "general_admission", "capacity": 5}));
    assert_eq!(map["counts"], json!({"capacity": 5, "free": 5, "held": 0, "sold": 0, "blocked": 0}));
    let (ada, bob, cleo) = (customer(&app, "ada").await, customer(&app, "bob").await, customer(&app, "cleo").await);

    let hold = expect_json(show.hold(&ada, json!({"quantity": 3})).await, StatusCode::CREATED).await;
    assert_eq!((hold["seats"].clone(), hold["quantity"].as_u64()), (json!([]), Some(3)));
    let problem =
        expect_problem(show.hold(&bob, json!({"quantity": 3})).await, StatusCode::CONFLICT, "not_enough_tickets").await;
    assert_eq!(problem["available"], 2);
    for body in [json!({"seats": ["A1"]}), json!({"quantity": 0}), json!({"quantity": 11})] {
        let response = show.hold(&bob, body).await;
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    }
    expect_json(show.hold(&bob, json!({"quantity": 2})).await, StatusCode::CREATED).await;
    expect_problem(show.hold(&cleo, json!({"quantity": 1})).await, StatusCode::CONFLICT, "sold_out").await;
    // Ada's own three tickets count as available to her.
    let problem =
        expect_problem(show.hold(&ada, json!({"quantity": 4})).await, StatusCode::CONFLICT, "not_enough_tickets").await;
    assert_eq!(problem["available"], 3);
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    let map = show.seat_map().await;
    assert_eq!(map["counts"], json!({"capacity": 5, "free": 0, "held": 5, "sold": 0, "blocked": 0}));
}

#[tokio::test]
async fn general_admission_tickets_are_bought_by_tier() {
    let app = spawn_app().await;
    let show = general_admission(&app, 5).await;
    let ada = customer(&app, "ada").await;
    let hold = expect_json(show.hold(&ada, json!({"quantity": 3})).await, StatusCode::CREATED).await;
    let tiers = json!({"tiers": [{"tier": "child"}, {"tier": "full"}, {"tier": "child"}]});
    let booking = expect_json(show.purchase(&ada, hold_id(&hold), Some(tiers)).await, StatusCode::CREATED).await;
    assert_eq!(lines(&booking), [line("GA", "child", CHILD), line("GA", "full", FULL), line("GA", "child", CHILD)]);
    assert_eq!(booking["total"], eur(2 * CHILD + FULL));
    assert_eq!(balance(&app, &ada).await, CREDIT - 2 * CHILD - FULL);
    let map = show.seat_map().await;
    assert_eq!(map["counts"], json!({"capacity": 5, "free": 2, "held": 0, "sold": 3, "blocked": 0}));
    let bob = customer(&app, "bob").await;
    let problem =
        expect_problem(show.hold(&bob, json!({"quantity": 3})).await, StatusCode::CONFLICT, "not_enough_tickets").await;
    assert_eq!(problem["available"], 2);
}

#[tokio::test]
async fn booking_endpoints_need_a_customer_token() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1"]).await;
    let body = json!({"seats": ["A2"]});

    let response = app.request(Method::POST, &show.path("/holds")).json(&body).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_problem(show.hold(&"f".repeat(64), body.clone()).await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let staff = &app.admin_token;
    expect_problem(show.hold(staff, body).await, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(show.current(staff).await, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(show.release(staff, hold_id(&hold)).await, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(show.purchase(staff, hold_id(&hold), None).await, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.request(Method::POST, &show.path(&format!("/holds/{}/purchase", hold_id(&hold))));
    expect_problem(response.send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;

    show.expect_seats(&["A1"], &[], &[]).await;
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
}

#[tokio::test]
async fn a_cancelled_showtime_is_not_on_sale() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let hold = show.hold_seats(&ada, &["A1"]).await;
    let booking = show.buy(&bob, &["B1"]).await;
    let response = app.staff(Method::POST, &show.path("/cancel")).send().await.unwrap();
    let cancelled = expect_json(response, StatusCode::OK).await;
    assert_eq!((cancelled["holds_ended"].as_u64(), cancelled["bookings_refunded"].as_u64()), (Some(1), Some(1)));

    let response = show.hold(&ada, json!({"seats": ["A2"]})).await;
    expect_problem(response, StatusCode::CONFLICT, "not_on_sale").await;
    let response = show.purchase(&ada, hold_id(&hold), None).await;
    expect_problem(response, StatusCode::CONFLICT, "not_on_sale").await;
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    let map = show.expect_seats(&[], &[], &[]).await;
    assert_eq!(map["status"], "cancelled");
    assert_eq!((balance(&app, &ada).await, balance(&app, &bob).await), (CREDIT, CREDIT));

    let path = booking_path(&booking);
    let stored = expect_json(app.customer(&bob, Method::GET, &path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(
        (stored["status"].as_str(), stored["cancel_reason"].as_str()),
        (Some("cancelled"), Some("showtime_cancelled"))
    );
    let response = app.customer(&bob, Method::POST, &format!("{path}/cancel")).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "already_cancelled").await;
    assert_eq!(balance(&app, &bob).await, CREDIT, "refunded once");
}

#[tokio::test]
async fn a_deleted_showtime_is_not_found() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    show.seat_map().await;
    let deleted = expect_json(app.staff(Method::DELETE, &show.path("")).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(deleted["showtimes_cancelled"], 1);
    app.get_json(&show.path(""), StatusCode::NOT_FOUND).await;

    // Engine contract: `ShowtimeNotFound` is "no such showtime (or it was deleted)".
    let response = app.request(Method::GET, &show.path("/seats")).send().await.unwrap();
    expect_problem(response, StatusCode::NOT_FOUND, "showtime_not_found").await;
    let response = show.hold(&ada, json!({"seats": ["A1"]})).await;
    expect_problem(response, StatusCode::NOT_FOUND, "showtime_not_found").await;
}

#[tokio::test]
async fn release_frees_the_seats_and_only_the_owner_can_release() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let hold = show.hold_seats(&ada, &["A1", "A2"]).await;

    expect_problem(show.release(&bob, hold_id(&hold)).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    show.expect_seats(&["A1", "A2"], &[], &[]).await;

    let response = show.release(&ada, hold_id(&hold)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.text().await.unwrap().is_empty());
    show.expect_seats(&[], &[], &[]).await;
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(show.release(&ada, hold_id(&hold)).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(show.release(&ada, UNKNOWN_ID).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    let problem = expect_problem(show.release(&ada, "nope").await, StatusCode::BAD_REQUEST, "invalid_path").await;
    assert!(problem["detail"].as_str().unwrap().contains("hold_id"), "{problem}");
    // Bob can take the seats now.
    show.hold_seats(&bob, &["A1", "A2"]).await;
}

#[tokio::test]
async fn purchase_books_the_hold_and_debits_the_wallet() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, created) = app.create_customer("Ada", "ada@example.com").await;
    let hold = show.hold_seats(&ada, &["A1", "A2"]).await;
    let booking = expect_json(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::CREATED).await;

    assert!(is_reference(booking["reference"].as_str().unwrap()), "{booking}");
    assert!(uuid::Uuid::parse_str(booking["id"].as_str().unwrap()).is_ok(), "{booking}");
    assert_eq!(booking["status"], "confirmed");
    assert_eq!((booking["cancelled_at"].clone(), booking["cancel_reason"].clone()), (Value::Null, Value::Null));
    assert_eq!(booking["customer_id"], created["customer"]["id"]);
    assert_eq!(
        (booking["showtime_id"].as_str(), booking["hold_id"].as_str()),
        (Some(show.id.as_str()), Some(hold_id(&hold)))
    );
    assert_eq!(lines(&booking), [line("A1", "full", FULL), line("A2", "full", FULL)]);
    assert_eq!(booking["total"], eur(2 * FULL));
    assert_eq!(balance(&app, &ada).await, CREDIT - 2 * FULL);

    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    show.expect_seats(&[], &["A1", "A2"], &[]).await;
    let stored = app.customer(&ada, Method::GET, &booking_path(&booking)).send().await.unwrap();
    assert_eq!(expect_json(stored, StatusCode::OK).await, booking);
    let mine = app.customer(&ada, Method::GET, "/api/v1/me/bookings").send().await.unwrap();
    let mine = expect_json(mine, StatusCode::OK).await;
    assert_eq!((mine["total"].as_u64(), &mine["items"][0]["id"]), (Some(1), &booking["id"]));
    let wallet = app.customer(&ada, Method::GET, "/api/v1/me/wallet").send().await.unwrap();
    let entry = &expect_json(wallet, StatusCode::OK).await["ledger"]["items"][0];
    assert_eq!((entry["kind"].as_str(), &entry["amount"]), (Some("payment"), &eur(-2 * FULL)));
}

#[tokio::test]
async fn purchase_prices_each_seat_by_its_tier() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1", "A2", "A3"]).await;
    let tiers = json!({"tiers": [
        {"seat": "A3", "tier": "child"}, {"seat": "A1", "tier": "full"}, {"seat": "a2", "tier": "child"}
    ]});
    let booking = expect_json(show.purchase(&ada, hold_id(&hold), Some(tiers)).await, StatusCode::CREATED).await;
    assert_eq!(lines(&booking), [line("A1", "full", FULL), line("A2", "child", CHILD), line("A3", "child", CHILD)]);
    assert_eq!(booking["total"], eur(FULL + 2 * CHILD));
    assert_eq!(balance(&app, &ada).await, CREDIT - FULL - 2 * CHILD);
    show.expect_seats(&[], &["A1", "A2", "A3"], &[]).await;
}

#[tokio::test]
async fn purchase_tier_errors_keep_the_hold() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1", "A2"]).await;
    let buy = |tiers: Value| show.purchase(&ada, hold_id(&hold), Some(json!({"tiers": tiers})));

    let problem = expect_problem(
        buy(json!([{"seat": "A1", "tier": "vip"}, {"seat": "A2", "tier": "full"}])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_tier",
    )
    .await;
    assert_eq!(problem["tier"], "vip");
    let mismatched = [
        json!([{"seat": "A1", "tier": "full"}]),
        json!([{"seat": "A1", "tier": "full"}, {"seat": "A3", "tier": "child"}]),
        json!([{"tier": "full"}, {"tier": "child"}]),
        json!([{"seat": "A1", "tier": "full"}, {"seat": "A1", "tier": "child"}]),
        json!([{"seat": "A1", "tier": "full"}, {"seat": "A2", "tier": "child"}, {"seat": "A3", "tier": "child"}]),
    ];
    for tiers in mismatched {
        expect_problem(buy(tiers).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    }
    let eleven: Vec<Value> = (0..11).map(|_| json!({"tier": "full"})).collect();
    let problem = expect_problem(buy(json!(eleven)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["field"], "tiers");

    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    assert_eq!(balance(&app, &ada).await, CREDIT);
    show.expect_seats(&["A1", "A2"], &[], &[]).await;
    let booking = expect_json(buy(json!([])).await, StatusCode::CREATED).await;
    assert_eq!(booking["total"], eur(2 * FULL), "no tiers: the first tier for every seat");
}

#[tokio::test]
async fn purchase_body_errors_use_the_documented_codes() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1"]).await;
    let path = show.path(&format!("/holds/{}/purchase", hold_id(&hold)));
    let post = |body: &'static str| {
        app.customer(&ada, Method::POST, &path).header("content-type", "application/json").body(body).send()
    };
    // docs/api.md: invalid JSON is 400 `malformed_json`; an unknown field is 422 `invalid_body`.
    expect_problem(post("{\"tiers\": ").await.unwrap(), StatusCode::BAD_REQUEST, "malformed_json").await;
    let response = post("{\"tiers\": [], \"colour\": 1}").await.unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    // Tiers sent without a Content-Type are refused, not ignored (which would charge the
    // first tier for every seat, not the tiers asked for).
    let untyped = app.customer(&ada, Method::POST, &path).body(r#"{"tiers":[{"seat":"A1","tier":"child"}]}"#);
    expect_problem(untyped.send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    assert_eq!(balance(&app, &ada).await, CREDIT);
    // An empty body is no body, even labelled JSON: the first tier for every seat.
    let booking = expect_json(post("").await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(booking["total"], eur(FULL), "{booking}");
}

#[tokio::test]
async fn insufficient_balance_is_402_and_keeps_the_hold() {
    let app = spawn_app().await;
    let prices = json!({"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 600_000}, {"tier": "child", "price_minor": 1000}]});
    let show = showtime(&app, SMALL, &at(1, 0), |body| body["prices"] = prices).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1"]).await;

    let response = show.purchase(&ada, hold_id(&hold), None).await;
    let problem = expect_problem(response, StatusCode::PAYMENT_REQUIRED, "insufficient_balance").await;
    assert_eq!((&problem["balance"], &problem["needed"]), (&eur(CREDIT), &eur(600_000)));
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold, "the hold stays");
    show.expect_seats(&["A1"], &[], &[]).await;
    assert_eq!(balance(&app, &ada).await, CREDIT);
    let wallet = app.customer(&ada, Method::GET, "/api/v1/me/wallet").send().await.unwrap();
    assert_eq!(expect_json(wallet, StatusCode::OK).await["ledger"]["total"], 1, "only the starting credit");

    // The same hold can still be bought at a price the wallet covers.
    let child = json!({"tiers": [{"seat": "A1", "tier": "child"}]});
    let booking = expect_json(show.purchase(&ada, hold_id(&hold), Some(child)).await, StatusCode::CREATED).await;
    assert_eq!(booking["total"], eur(1000));
    assert_eq!(balance(&app, &ada).await, CREDIT - 1000);
}

#[tokio::test]
async fn another_customers_hold_or_a_bought_one_cannot_be_purchased() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let hold = show.hold_seats(&ada, &["A1"]).await;

    expect_problem(show.purchase(&bob, hold_id(&hold), None).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(balance(&app, &bob).await, CREDIT);
    // The hold is not found through another showtime either.
    let other = showtime(&app, SMALL, &at(2, 0), |_| {}).await;
    expect_problem(other.purchase(&ada, hold_id(&hold), None).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(other.release(&ada, hold_id(&hold)).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    show.expect_seats(&["A1"], &[], &[]).await;

    expect_json(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::CREATED).await;
    expect_problem(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(show.purchase(&ada, UNKNOWN_ID, None).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(balance(&app, &ada).await, CREDIT - FULL, "paid once");
    show.expect_seats(&[], &["A1"], &[]).await;
}

#[tokio::test]
async fn bookings_are_visible_to_their_owner_and_to_staff_only() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let booking = show.buy(&ada, &["A1"]).await;
    let path = booking_path(&booking);
    let get = |token: &str| app.customer(token, Method::GET, &path).send();

    assert_eq!(expect_json(get(&ada).await.unwrap(), StatusCode::OK).await, booking);
    let problem = expect_problem(get(&bob).await.unwrap(), StatusCode::NOT_FOUND, "booking_not_found").await;
    assert!(!problem.to_string().contains(booking["reference"].as_str().unwrap()), "leaks nothing: {problem}");
    assert_eq!(expect_json(get(&app.admin_token).await.unwrap(), StatusCode::OK).await, booking);

    let unknown = format!("/api/v1/bookings/{UNKNOWN_ID}");
    for token in [&ada, &app.admin_token] {
        let response = app.customer(token, Method::GET, &unknown).send().await.unwrap();
        expect_problem(response, StatusCode::NOT_FOUND, "booking_not_found").await;
    }
    let response = app.request(Method::GET, &path).send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app.customer(&ada, Method::GET, "/api/v1/bookings/nope").send().await.unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "invalid_path").await;
}

#[tokio::test]
async fn cancelling_refunds_and_frees_the_seats_once() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let booking = show.buy(&ada, &["A1", "A2"]).await;
    let path = booking_path(&booking);
    let cancel = |token: &str| app.customer(token, Method::POST, &format!("{path}/cancel")).send();

    expect_problem(cancel(&bob).await.unwrap(), StatusCode::NOT_FOUND, "booking_not_found").await;
    let stored = expect_json(app.customer(&ada, Method::GET, &path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["status"], "confirmed", "another customer cannot cancel it");
    assert_eq!((balance(&app, &ada).await, balance(&app, &bob).await), (CREDIT - 2 * FULL, CREDIT));

    let cancelled = expect_json(cancel(&ada).await.unwrap(), StatusCode::OK).await;
    assert_eq!((&cancelled["id"], &cancelled["reference"]), (&booking["id"], &booking["reference"]));
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some("customer"))
    );
    assert!(cancelled["cancelled_at"].is_string(), "{cancelled}");
    assert_eq!(cancelled["lines"], booking["lines"]);
    assert_eq!(balance(&app, &ada).await, CREDIT, "refunded");
    show.expect_seats(&[], &[], &[]).await;
    let stored = expect_json(app.customer(&ada, Method::GET, &path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((stored["status"].as_str(), stored["cancel_reason"].as_str()), (Some("cancelled"), Some("customer")));

    expect_problem(cancel(&ada).await.unwrap(), StatusCode::CONFLICT, "already_cancelled").await;
    expect_problem(cancel(&app.admin_token).await.unwrap(), StatusCode::CONFLICT, "already_cancelled").await;
    assert_eq!(balance(&app, &ada).await, CREDIT, "refunded once");
    let response = app.customer(&ada, Method::POST, &format!("/api/v1/bookings/{UNKNOWN_ID}/cancel")).send().await;
    expect_problem(response.unwrap(), StatusCode::NOT_FOUND, "booking_not_found").await;
    show.hold_seats(&bob, &["A1", "A2"]).await;
}

#[tokio::test]
async fn customers_cannot_cancel_within_two_hours_but_staff_can() {
    let app = spawn_app().await;
    let starts = (Utc::now() + Duration::minutes(61)).duration_trunc(Duration::minutes(1)).unwrap();
    let show = showtime(&app, SMALL, &starts.to_rfc3339(), |_| {}).await;
    let ada = customer(&app, "ada").await;
    let booking = show.buy(&ada, &["A1"]).await;
    let path = format!("{}/cancel", booking_path(&booking));

    let response = app.customer(&ada, Method::POST, &path).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "cancellation_closed").await;
    let deadline = starts - Duration::hours(2);
    assert_eq!(millis(&problem["deadline"]), deadline.timestamp_millis(), "{problem}");
    show.expect_seats(&[], &["A1"], &[]).await;
    assert_eq!(balance(&app, &ada).await, CREDIT - FULL);

    let cancelled = expect_json(app.staff(Method::POST, &path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()), (Some("cancelled"), Some("staff")));
    assert_eq!(balance(&app, &ada).await, CREDIT);
    show.expect_seats(&[], &[], &[]).await;
}

#[tokio::test]
async fn the_cancellation_deadline_is_written_like_every_other_time() {
    let app = spawn_app().await;
    let starts = (Utc::now() + Duration::minutes(61)).duration_trunc(Duration::seconds(1)).unwrap()
        + Duration::milliseconds(250);
    let show = showtime(&app, SMALL, &starts.to_rfc3339(), |_| {}).await;
    let ada = customer(&app, "ada").await;
    let booking = show.buy(&ada, &["A1"]).await;
    let response = app.customer(&ada, Method::POST, &format!("{}/cancel", booking_path(&booking))).send().await;
    let problem = expect_problem(response.unwrap(), StatusCode::CONFLICT, "cancellation_closed").await;
    // docs/api.md: "answers are UTC with milliseconds"; the deadline is 2 h before the start.
    let deadline = (starts - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_eq!(problem["deadline"], deadline, "{problem}");
}

#[tokio::test]
async fn blocked_seats_cannot_be_held_until_unblocked() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    assert_eq!(show.block(&["A1", "B4"], true).await.status(), StatusCode::NO_CONTENT);
    show.expect_seats(&[], &[], &["A1", "B4"]).await;

    let response = show.hold(&ada, json!({"seats": ["A1", "A2"]})).await;
    let problem = expect_problem(response, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(problem["seats"], json!(["A1"]));
    let problem = expect_problem(show.block(&["A1"], true).await, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(problem["seats"], json!(["A1"]), "already blocked");

    assert_eq!(show.block(&["A1"], false).await.status(), StatusCode::NO_CONTENT);
    show.expect_seats(&[], &[], &["B4"]).await;
    let problem = expect_problem(show.block(&["A1"], false).await, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(problem["seats"], json!(["A1"]), "only blocked seats can be unblocked");
    show.hold_seats(&ada, &["A1", "A2"]).await;
    show.expect_seats(&["A1", "A2"], &[], &["B4"]).await;
}

#[tokio::test]
async fn only_free_seats_can_be_blocked_and_only_by_staff() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    show.hold_seats(&ada, &["A2"]).await;
    show.buy(&bob, &["B1"]).await;

    let problem =
        expect_problem(show.block(&["A2", "A3", "B1"], true).await, StatusCode::CONFLICT, "seats_unavailable").await;
    assert_eq!(sorted_labels(&problem["seats"]), labels(&["A2", "B1"]));
    show.expect_seats(&["A2"], &["B1"], &[]).await;
    let problem =
        expect_problem(show.block(&["A3", "Z9"], true).await, StatusCode::UNPROCESSABLE_ENTITY, "unknown_seats").await;
    assert_eq!(problem["seats"], json!(["Z9"]));
    let problem =
        expect_problem(show.block(&[], true).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["field"], "seats");

    let body = json!({"seats": ["A3"], "blocked": true});
    let response = app.customer(&ada, Method::POST, &show.path("/seats/block")).json(&body).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.request(Method::POST, &show.path("/seats/block")).json(&body).send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    show.expect_seats(&["A2"], &["B1"], &[]).await;

    let ga = general_admission(&app, 5).await;
    expect_problem(ga.block(&["A1"], true).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    assert_eq!(ga.seat_map().await["counts"]["blocked"], 0);
}

#[tokio::test]
async fn hold_and_purchase_retries_with_an_idempotency_key_are_replayed() {
    let app = spawn_app().await;
    let show = reserved(&app).await;
    let (ada, bob) = (customer(&app, "ada").await, customer(&app, "bob").await);
    let body = json!({"seats": ["A1", "A2"]});
    let hold_with = |token: &str, key: &'static str, body: &Value| {
        app.customer(token, Method::POST, &show.path("/holds")).header("idempotency-key", key).json(body).send()
    };

    let first = hold_with(&ada, "hold-1", &body).await.unwrap();
    assert!(first.headers().get("idempotency-replayed").is_none());
    let hold = expect_json(first, StatusCode::CREATED).await;
    let again = hold_with(&ada, "hold-1", &body).await.unwrap();
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(expect_json(again, StatusCode::CREATED).await, hold, "the same hold_id");
    assert_eq!(expect_json(show.current(&ada).await, StatusCode::OK).await, hold);
    show.expect_seats(&["A1", "A2"], &[], &[]).await;
    let other = hold_with(&ada, "hold-1", &json!({"seats": ["B1"]})).await.unwrap();
    expect_problem(other, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;

    let path = show.path(&format!("/holds/{}/purchase", hold_id(&hold)));
    let buy = || app.customer(&ada, Method::POST, &path).header("idempotency-key", "buy-1").send();
    let booking = expect_json(buy().await.unwrap(), StatusCode::CREATED).await;
    let again = buy().await.unwrap();
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(expect_json(again, StatusCode::CREATED).await, booking, "the same booking");
    assert_eq!(balance(&app, &ada).await, CREDIT - 2 * FULL, "debited once");
    let mine = app.customer(&ada, Method::GET, "/api/v1/me/bookings").send().await.unwrap();
    assert_eq!(expect_json(mine, StatusCode::OK).await["total"], 1);
    // Without the key the purchase runs again, and the hold is gone.
    expect_problem(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::NOT_FOUND, "hold_not_found").await;

    // Keys are per customer: Bob's "hold-1" runs, and finds the seats sold.
    let bobs = hold_with(&bob, "hold-1", &body).await.unwrap();
    assert!(bobs.headers().get("idempotency-replayed").is_none());
    expect_problem(bobs, StatusCode::CONFLICT, "seats_unavailable").await;
}

#[tokio::test]
async fn an_expired_hold_frees_its_seats() {
    let app = spawn_app_with(|s| s.engine.hold_ttl_ms = 1_000).await;
    let show = reserved(&app).await;
    let ada = customer(&app, "ada").await;
    let hold = show.hold_seats(&ada, &["A1"]).await;
    let left = millis(&hold["expires_at"]) - Utc::now().timestamp_millis();
    assert!((0..=1_000).contains(&left), "{hold}");

    for _ in 0..50 {
        if show.seat_map().await["counts"]["held"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    show.expect_seats(&[], &[], &[]).await;
    expect_problem(show.current(&ada).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(show.purchase(&ada, hold_id(&hold), None).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    expect_problem(show.release(&ada, hold_id(&hold)).await, StatusCode::NOT_FOUND, "hold_not_found").await;
    assert_eq!(balance(&app, &ada).await, CREDIT);
}
