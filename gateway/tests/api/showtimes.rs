//! Showtimes: scheduling rules, listing filters, overlap, reschedule and cancellation.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, TestApp, at, expect_json, expect_problem, showtime_body, spawn_app};

fn millis(value: &Value) -> i64 {
    DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().timestamp_millis()
}

async fn catalog(app: &TestApp) -> (Value, Value) {
    (app.create_film("Film", 120, &["drama"], &["en"]).await, app.create_auditorium("Salle", SMALL).await)
}

#[tokio::test]
async fn showtime_is_scheduled_with_its_end() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let response = app.post_showtime(&film, &auditorium, &at(1, 0)).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let showtime = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(
        millis(&showtime["ends_at"]) - millis(&showtime["starts_at"]),
        (120 + 15) * 60_000,
        "duration + cleaning buffer"
    );
    assert_eq!(showtime["status"], "scheduled");
    assert_eq!(showtime["seating"], json!({"kind": "reserved"}));
    assert_eq!(app.get_json(&location, StatusCode::OK).await, showtime);

    let mut ga = showtime_body(&film, &auditorium, &at(2, 0));
    ga["seating"] = json!({"kind": "general_admission", "capacity": 300});
    let response = app.staff(Method::POST, "/api/v1/showtimes").json(&ga).send().await.unwrap();
    assert_eq!(expect_json(response, StatusCode::CREATED).await["seating"]["capacity"], 300);
}

#[tokio::test]
async fn scheduling_rules_name_the_field() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let missing = json!({"id": "01a200a0-0000-7000-8000-000000000000"});
    let cases = [
        (showtime_body(&missing, &auditorium, &at(1, 0)), "film_id"),
        (showtime_body(&film, &missing, &at(1, 0)), "auditorium_id"),
        (showtime_body(&film, &auditorium, &(Utc::now() - Duration::hours(1)).to_rfc3339()), "starts_at"),
        (
            {
                let mut b = showtime_body(&film, &auditorium, &at(1, 0));
                b["prices"]["currency"] = json!("USD");
                b
            },
            "prices.currency",
        ),
        (
            {
                let mut b = showtime_body(&film, &auditorium, &at(1, 0));
                b["prices"]["tiers"] = json!([]);
                b
            },
            "prices.tiers",
        ),
        (
            {
                let mut b = showtime_body(&film, &auditorium, &at(1, 0));
                b["seating"] = json!({"kind": "general_admission", "capacity": 0});
                b
            },
            "seating.capacity",
        ),
    ];
    for (body, field) in cases {
        let response = app.staff(Method::POST, "/api/v1/showtimes").json(&body).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let mut bad_time = showtime_body(&film, &auditorium, "tomorrow at 8");
    bad_time["version"] = json!("VOST");
    let response = app.staff(Method::POST, "/api/v1/showtimes").json(&bad_time).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(problem["detail"].as_str().unwrap().contains("starts_at"), "{problem}");
}

#[tokio::test]
async fn overlap_is_409_naming_the_conflict() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let first = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    // Starts during the first one's film and cleaning time (ends at +2h15).
    let response = app.post_showtime(&film, &auditorium, &at(1, 2)).await;
    let problem = expect_problem(response, StatusCode::CONFLICT, "showtime_overlap").await;
    assert_eq!(problem["conflicting_showtime_id"], first["id"]);
    assert_eq!(problem["conflicting_showtime"]["starts_at"], first["starts_at"]);
    assert_eq!(problem["conflicting_showtime"]["ends_at"], first["ends_at"]);
    assert!(problem["detail"].as_str().unwrap().contains(first["id"].as_str().unwrap()));
    // Right after the cleaning buffer is fine; another auditorium is fine.
    let after =
        DateTime::parse_from_rfc3339(first["ends_at"].as_str().unwrap()).unwrap().with_timezone(&Utc).to_rfc3339();
    app.create_showtime(&film, &auditorium, &after).await;
    let other = app.create_auditorium("Other", SMALL).await;
    app.create_showtime(&film, &other, &at(1, 2)).await;
}

#[tokio::test]
async fn showtimes_filter_by_film_auditorium_day_and_range() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let other_film = app.create_film("Other", 90, &["comedy"], &["fr"]).await;
    let first = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    app.create_showtime(&other_film, &auditorium, &at(1, 4)).await;
    app.create_showtime(&film, &auditorium, &at(3, 0)).await;

    let all = app.get_json("/api/v1/showtimes", StatusCode::OK).await;
    assert_eq!(all["total"], 3);
    assert_eq!(all["items"][0]["id"], first["id"], "ordered by start");
    let by_film =
        app.get_json(&format!("/api/v1/showtimes?film_id={}", film["id"].as_str().unwrap()), StatusCode::OK).await;
    assert_eq!(by_film["total"], 2);
    let by_room = app
        .get_json(
            &format!("/api/v1/showtimes?auditorium_id={}&limit=1", auditorium["id"].as_str().unwrap()),
            StatusCode::OK,
        )
        .await;
    assert_eq!((by_room["total"].as_u64(), by_room["items"].as_array().unwrap().len()), (Some(3), 1));

    let day = &first["starts_at"].as_str().unwrap()[..10];
    let on_day = app.get_json(&format!("/api/v1/showtimes?date={day}"), StatusCode::OK).await;
    assert!(on_day["items"].as_array().unwrap().iter().all(|s| s["starts_at"].as_str().unwrap().starts_with(day)));
    assert!(on_day["total"].as_u64().unwrap() >= 1);

    let from = urlencode(&at(2, 0));
    assert_eq!(app.get_json(&format!("/api/v1/showtimes?from={from}"), StatusCode::OK).await["total"], 1);
    let to = urlencode(&at(1, 1));
    assert_eq!(app.get_json(&format!("/api/v1/showtimes?to={to}"), StatusCode::OK).await["total"], 1);

    let response = app.request(Method::GET, &format!("/api/v1/showtimes?date={day}&from={from}")).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "date");
    let response = app.request(Method::GET, "/api/v1/showtimes?film_id=nope").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
    assert!(problem["detail"].as_str().unwrap().contains("film_id"), "{problem}");
    let response = app.request(Method::GET, "/api/v1/showtimes?date=2026-13-40").send().await.unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn reschedule_recomputes_the_end_and_checks_overlap() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let first = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    let second = app.create_showtime(&film, &auditorium, &at(1, 5)).await;
    let path = format!("/api/v1/showtimes/{}", first["id"].as_str().unwrap());

    let patch = json!({"starts_at": at(1, 1), "version": "VF", "format": "3d"});
    let updated = expect_json(app.staff(Method::PATCH, &path).json(&patch).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(millis(&updated["starts_at"]) - millis(&first["starts_at"]), 3_600_000);
    assert_eq!(millis(&updated["ends_at"]) - millis(&updated["starts_at"]), 135 * 60_000);
    assert_eq!((updated["version"].as_str(), updated["format"].as_str()), (Some("VF"), Some("3d")));
    assert_eq!(app.get_json(&path, StatusCode::OK).await, updated);

    let clash = json!({"starts_at": at(1, 4)});
    let response = app.staff(Method::PATCH, &path).json(&clash).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "showtime_overlap").await;
    assert_eq!(problem["conflicting_showtime_id"], second["id"]);

    let prices = json!({"prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1500}]}});
    let updated =
        expect_json(app.staff(Method::PATCH, &path).json(&prices).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(updated["prices"]["tiers"][0]["price_minor"], 1500);

    let response = app.staff(Method::PATCH, &path).json(&json!({})).send().await.unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let past = json!({"starts_at": (Utc::now() - Duration::hours(2)).to_rfc3339()});
    let response = app.staff(Method::PATCH, &path).json(&past).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "starts_at"
    );
}

#[tokio::test]
async fn cancelling_a_showtime_answers_the_counts() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    let showtime = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    let path = format!("/api/v1/showtimes/{}", showtime["id"].as_str().unwrap());
    let response = app.staff(Method::POST, &format!("{path}/cancel")).send().await.unwrap();
    let cancelled = expect_json(response, StatusCode::OK).await;
    assert_eq!(cancelled["showtime"]["status"], "cancelled");
    assert_eq!((cancelled["bookings_refunded"].as_u64(), cancelled["holds_ended"].as_u64()), (Some(0), Some(0)));
    assert_eq!(app.get_json(&path, StatusCode::OK).await["status"], "cancelled");

    let response = app.staff(Method::POST, &format!("{path}/cancel")).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "showtime_cancelled").await;
    let response = app.staff(Method::PATCH, &path).json(&json!({"version": "VF"})).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "showtime_cancelled").await;

    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 0, "cancelled are hidden by default");
    assert_eq!(app.get_json("/api/v1/showtimes?include_cancelled=true", StatusCode::OK).await["total"], 1);
    // The slot is free again.
    app.create_showtime(&film, &auditorium, &at(1, 0)).await;
}

/// Listings are cached for a second, but never across a catalog change made here: each
/// write below shows in the very next listing.
#[tokio::test]
async fn a_catalog_change_shows_in_the_next_listing_at_once() {
    let app = spawn_app().await;
    let (film, auditorium) = catalog(&app).await;
    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 0);
    let showtime = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 1, "created");

    let path = format!("/api/v1/showtimes/{}", showtime["id"].as_str().unwrap());
    let response = app.staff(Method::PATCH, &path).json(&json!({"version": "VOST"})).send().await.unwrap();
    expect_json(response, StatusCode::OK).await;
    let listing = app.get_json("/api/v1/showtimes", StatusCode::OK).await;
    assert_eq!(listing["items"][0]["version"], "VOST", "changed: {listing}");

    let response = app.staff(Method::POST, &format!("{path}/cancel")).send().await.unwrap();
    expect_json(response, StatusCode::OK).await;
    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 0, "cancelled");
}
