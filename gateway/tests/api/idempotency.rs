//! `Idempotency-Key`: replay, reuse with another request, bad keys, scopes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn replay_returns_the_same_answer_and_does_nothing_twice() {
    let app = spawn_app().await;
    let body = json!({"title": "Once", "director": "D", "duration_minutes": 90});
    let send = || app.staff(Method::POST, "/api/v1/films").header("idempotency-key", "film-once-1").json(&body).send();

    let first = send().await.unwrap();
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first = expect_json(first, StatusCode::CREATED).await;
    let second = send().await.unwrap();
    assert_eq!(second.headers()["idempotency-replayed"], "true");
    assert_eq!(second.headers()["content-type"], "application/json");
    assert_eq!(expect_json(second, StatusCode::CREATED).await, first);
    assert_eq!(app.get_json("/api/v1/films", StatusCode::OK).await["total"], 1, "created once");

    // The same key with another body is refused, and so is another path.
    let other = json!({"title": "Twice", "director": "D", "duration_minutes": 90});
    let response = app
        .staff(Method::POST, "/api/v1/films")
        .header("idempotency-key", "film-once-1")
        .json(&other)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    let response = app
        .staff(Method::POST, "/api/v1/auditoriums")
        .header("idempotency-key", "film-once-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    assert_eq!(app.get_json("/api/v1/films", StatusCode::OK).await["total"], 1);
}

#[tokio::test]
async fn errors_are_replayed_too_and_scopes_are_separate() {
    let app = spawn_app().await;
    let bad = json!({"title": "", "director": "D", "duration_minutes": 90});
    let send = || app.staff(Method::POST, "/api/v1/films").header("idempotency-key", "k").json(&bad).send();
    expect_problem(send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let replayed = send().await.unwrap();
    assert_eq!(replayed.headers()["idempotency-replayed"], "true");
    expect_problem(replayed, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // An anonymous sign-up's key "k" is not staff's key "k".
    let customer = json!({
        "email": "eve@example.com", "username": "eve", "first_name": "Eve", "last_name": "Tester",
        "password": crate::helpers::CUSTOMER_PASSWORD,
    });
    let response = app
        .request(Method::POST, "/api/v1/customers")
        .header("idempotency-key", "k")
        .json(&customer)
        .send()
        .await
        .unwrap();
    let created = expect_json(response, StatusCode::CREATED).await;
    let response = app
        .request(Method::POST, "/api/v1/customers")
        .header("idempotency-key", "k")
        .json(&customer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["idempotency-replayed"], "true");
    let replayed = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(replayed["account"], created["account"], "a retried sign-up gets its account back");
    assert!(created["token"].is_string() && replayed["token"].is_null(), "but not the token, which is not stored");
    let login = json!({"email": "eve@example.com", "password": crate::helpers::CUSTOMER_PASSWORD});
    expect_json(app.request(Method::POST, "/api/v1/auth/login").json(&login).send().await.unwrap(), StatusCode::OK)
        .await;
}

#[tokio::test]
async fn bad_keys_are_400() {
    let app = spawn_app().await;
    let body = json!({"title": "T", "director": "D", "duration_minutes": 90});
    for key in ["k".repeat(201), String::new()] {
        let response =
            app.staff(Method::POST, "/api/v1/films").header("idempotency-key", key).json(&body).send().await.unwrap();
        expect_problem(response, StatusCode::BAD_REQUEST, "bad_idempotency_key").await;
    }
    assert_eq!(app.get_json("/api/v1/films", StatusCode::OK).await["total"], 0);
    // Reads ignore the header.
    let response =
        app.request(Method::GET, "/api/v1/films").header("idempotency-key", "k".repeat(300)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
