//! Safe deletion: 409 `has_dependents` with the reason, and `?cascade=true` cancelling (and
//! refunding) through the engine before the soft delete.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, TestApp, at, expect_json, expect_problem, spawn_app};

/// Books seat A1 of `showtime` for a new customer through the booking endpoints; returns
/// the customer's token.
async fn book(app: &TestApp, showtime: &Value, email: &str) -> String {
    let (token, _) = app.create_customer("Booker", email).await;
    let id = showtime["id"].as_str().unwrap();
    let response = app
        .customer(&token, Method::POST, &format!("/api/v1/showtimes/{id}/holds"))
        .json(&json!({"seats": ["A1"]}))
        .send()
        .await
        .unwrap();
    let hold = expect_json(response, StatusCode::CREATED).await;
    let hold_id = hold["hold_id"].as_str().unwrap();
    let response = app
        .customer(&token, Method::POST, &format!("/api/v1/showtimes/{id}/holds/{hold_id}/purchase"))
        .send()
        .await
        .unwrap();
    expect_json(response, StatusCode::CREATED).await;
    token
}

async fn balance(app: &TestApp, token: &str) -> i64 {
    let me = expect_json(app.customer(token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    me["balance"]["amount_minor"].as_i64().unwrap()
}

#[tokio::test]
async fn film_with_future_showtimes_needs_cascade() {
    let app = spawn_app().await;
    let film = app.create_film("Film", 100, &["drama"], &["en"]).await;
    let auditorium = app.create_auditorium("Salle", SMALL).await;
    let showtime = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    app.create_showtime(&film, &auditorium, &at(2, 0)).await;
    let token = book(&app, &showtime, "film-booker@example.com").await;
    assert_eq!(balance(&app, &token).await, 500_000 - 1250);

    let path = format!("/api/v1/films/{}", film["id"].as_str().unwrap());
    let problem =
        expect_problem(app.staff(Method::DELETE, &path).send().await.unwrap(), StatusCode::CONFLICT, "has_dependents")
            .await;
    assert_eq!((problem["showtimes"].as_u64(), problem["bookings"].as_u64()), (Some(2), Some(1)));
    assert!(problem["detail"].as_str().unwrap().contains("cascade=true"));
    app.get_json(&path, StatusCode::OK).await;

    let report =
        expect_json(app.staff(Method::DELETE, &format!("{path}?cascade=true")).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!((report["showtimes_cancelled"].as_u64(), report["bookings_refunded"].as_u64()), (Some(2), Some(1)));
    app.get_json(&path, StatusCode::NOT_FOUND).await;
    assert_eq!(balance(&app, &token).await, 500_000, "refunded");
    let listed = app.get_json("/api/v1/showtimes?include_cancelled=true", StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().iter().all(|s| s["status"] == "cancelled"));
}

#[tokio::test]
async fn auditorium_with_future_showtimes_needs_cascade() {
    let app = spawn_app().await;
    let film = app.create_film("Film", 100, &["drama"], &["en"]).await;
    let auditorium = app.create_auditorium("Salle", SMALL).await;
    app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    let path = format!("/api/v1/auditoriums/{}", auditorium["id"].as_str().unwrap());

    let new_layout = json!({"name": "Salle", "layout": {"rows": [{"label": "A", "seats": "SSSS"}]}});
    let response = app.staff(Method::PUT, &path).json(&new_layout).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "layout_in_use").await;
    assert!(problem["detail"].as_str().unwrap().contains("layout"), "{problem}");
    let renamed = json!({"name": "Salle Bis", "layout": {"rows": [{"label": "A", "seats": "SS|SS"}, {"label": "B", "seats": "SS|SS"}]}});
    expect_json(app.staff(Method::PUT, &path).json(&renamed).send().await.unwrap(), StatusCode::OK).await;

    let problem =
        expect_problem(app.staff(Method::DELETE, &path).send().await.unwrap(), StatusCode::CONFLICT, "has_dependents")
            .await;
    assert_eq!(problem["showtimes"], 1);
    let report =
        expect_json(app.staff(Method::DELETE, &format!("{path}?cascade=true")).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(report["showtimes_cancelled"], 1);
    app.get_json(&path, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn showtime_with_bookings_needs_cascade() {
    let app = spawn_app().await;
    let film = app.create_film("Film", 100, &["drama"], &["en"]).await;
    let auditorium = app.create_auditorium("Salle", SMALL).await;
    let empty = app.create_showtime(&film, &auditorium, &at(1, 0)).await;
    let booked = app.create_showtime(&film, &auditorium, &at(2, 0)).await;
    let token = book(&app, &booked, "show-booker@example.com").await;

    let empty_path = format!("/api/v1/showtimes/{}", empty["id"].as_str().unwrap());
    expect_json(app.staff(Method::DELETE, &empty_path).send().await.unwrap(), StatusCode::OK).await;
    app.get_json(&empty_path, StatusCode::NOT_FOUND).await;

    let path = format!("/api/v1/showtimes/{}", booked["id"].as_str().unwrap());
    let problem =
        expect_problem(app.staff(Method::DELETE, &path).send().await.unwrap(), StatusCode::CONFLICT, "has_dependents")
            .await;
    assert_eq!(problem["bookings"], 1);
    let report =
        expect_json(app.staff(Method::DELETE, &format!("{path}?cascade=true")).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(report["bookings_refunded"], 1);
    app.get_json(&path, StatusCode::NOT_FOUND).await;
    assert_eq!(balance(&app, &token).await, 500_000);
    let response = app.staff(Method::DELETE, &format!("{path}?cascade=maybe")).send().await.unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
}
