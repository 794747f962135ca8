//! Film reviews: only customers who had a booking, once the showtime ended, once per film;
//! ratings and comments checked; staff hide and show; hidden reviews are neither listed nor
//! counted.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, at, expect_json, expect_problem, spawn_app};

/// A film with one showtime starting in a few seconds and one tomorrow; returns the film
/// and both showtime ids.
async fn film_with_showtimes(app: &TestApp) -> (String, String, String) {
    let film = app.create_film("Reviewed Film", 90, &["drama"], &["en"]).await;
    let soon_room = app.create_auditorium("Soon", &[("A", "SSSS")]).await;
    let later_room = app.create_auditorium("Later", &[("A", "SSSS")]).await;
    let soon = (Utc::now() + Duration::seconds(3)).to_rfc3339();
    let soon = app.create_showtime(&film, &soon_room, &soon).await;
    let later = app.create_showtime(&film, &later_room, &at(1, 0)).await;
    let id = |v: &Value| v["id"].as_str().expect("id").to_owned();
    (id(&film), id(&soon), id(&later))
}

async fn buy(app: &TestApp, token: &str, showtime: &str, seat: &str) {
    let holds = format!("/api/v1/showtimes/{showtime}/holds");
    let hold = expect_json(
        app.customer(token, Method::POST, &holds).json(&json!({"seats": [seat]})).send().await.expect("hold"),
        StatusCode::CREATED,
    )
    .await;
    let purchase = format!("{holds}/{}/purchase", hold["hold_id"].as_str().expect("hold id"));
    expect_json(app.customer(token, Method::POST, &purchase).send().await.expect("buy"), StatusCode::CREATED).await;
}

/// A minute, in milliseconds.
const MINUTE_MS: i64 = 60_000;

async fn post_review(app: &TestApp, token: &str, film: &str, body: Value) -> reqwest::Response {
    app.customer(token, Method::POST, &format!("/api/v1/films/{film}/reviews"))
        .json(&body)
        .send()
        .await
        .expect("review")
}

#[tokio::test]
async fn only_customers_who_saw_the_film_review_it_once_and_staff_can_hide_reviews() {
    let app = spawn_app().await;
    let (film, soon, later) = film_with_showtimes(&app).await;
    let (ada, _) = app.create_customer("Ada", "ada-reviews@example.com").await;
    let (bob, _) = app.create_customer("Bob", "bob-reviews@example.com").await;
    let (cy, _) = app.create_customer("Cy", "cy-reviews@example.com").await;

    // No booking at all; a booking of a showtime that has not started yet.
    expect_problem(
        post_review(&app, &cy, &film, json!({"rating": 4})).await,
        StatusCode::FORBIDDEN,
        "review_not_allowed",
    )
    .await;
    buy(&app, &bob, &later, "A1").await;
    expect_problem(
        post_review(&app, &bob, &film, json!({"rating": 4})).await,
        StatusCode::FORBIDDEN,
        "review_not_allowed",
    )
    .await;

    buy(&app, &ada, &soon, "A1").await;
    buy(&app, &bob, &soon, "A2").await;
    app.clock.advance_ms(MINUTE_MS); // the showtime has started: not yet
    expect_problem(
        post_review(&app, &ada, &film, json!({"rating": 4})).await,
        StatusCode::FORBIDDEN,
        "review_not_allowed",
    )
    .await;
    app.clock.advance_ms(88 * MINUTE_MS); // 89 minutes in, the 90-minute film is still on
    expect_problem(
        post_review(&app, &ada, &film, json!({"rating": 4})).await,
        StatusCode::FORBIDDEN,
        "review_not_allowed",
    )
    .await;
    app.clock.advance_ms(2 * MINUTE_MS); // past start + running time (it started 3 s in): ended

    for (body, field) in [
        (json!({"rating": 0}), "rating"),
        (json!({"rating": 6}), "rating"),
        (json!({"rating": 5, "comment": "x".repeat(2001)}), "comment"),
    ] {
        let problem = expect_problem(
            post_review(&app, &ada, &film, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let review = expect_json(
        post_review(&app, &ada, &film, json!({"rating": 5, "comment": "  Superb.  "})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (review["rating"].as_u64(), review["comment"].as_str(), review["author"].as_str()),
        (Some(5), Some("Superb."), Some("Ada T."))
    );
    expect_problem(
        post_review(&app, &ada, &film, json!({"rating": 1})).await,
        StatusCode::CONFLICT,
        "already_reviewed",
    )
    .await;
    expect_json(post_review(&app, &bob, &film, json!({"rating": 2})).await, StatusCode::CREATED).await;

    let listing = app.get_json(&format!("/api/v1/films/{film}/reviews"), StatusCode::OK).await;
    assert_eq!(
        (listing["summary"]["count"].as_u64(), listing["summary"]["average"].as_f64()),
        (Some(2), Some(3.5)),
        "{listing}"
    );
    let first = &listing["reviews"]["items"][0];
    assert!(first["author"].is_string() && first.get("customer_id").is_none(), "no customer id in public: {first}");
    assert_eq!(listing["reviews"]["items"][1]["rating"], 5, "newest first");

    // Staff hide Bob's review: it is neither listed nor counted; customers may not hide.
    let bobs = listing["reviews"]["items"][0]["id"].as_str().expect("id").to_owned();
    let response =
        app.customer(&ada, Method::POST, &format!("/api/v1/reviews/{bobs}/hide")).send().await.expect("hide");
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.staff(Method::POST, &format!("/api/v1/reviews/{bobs}/hide")).send().await.expect("hide");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let listing = app.get_json(&format!("/api/v1/films/{film}/reviews"), StatusCode::OK).await;
    assert_eq!((listing["summary"]["count"].as_u64(), listing["summary"]["average"].as_f64()), (Some(1), Some(5.0)));
    assert_eq!(listing["reviews"]["total"], 1);
    let response = app.staff(Method::POST, &format!("/api/v1/reviews/{bobs}/unhide")).send().await.expect("unhide");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_json(&format!("/api/v1/films/{film}/reviews"), StatusCode::OK).await["summary"]["count"], 2);

    let unknown = "01a24977-20b5-7576-873e-56d0fccaf853";
    expect_problem(
        app.staff(Method::POST, &format!("/api/v1/reviews/{unknown}/hide")).send().await.expect("hide"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_problem(
        app.request(Method::GET, &format!("/api/v1/films/{unknown}/reviews")).send().await.expect("list"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
