//! Customers: creation with token and starting credit, `/me`, wallet and bookings.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn customer_gets_a_token_and_the_starting_credit() {
    let app = spawn_app().await;
    let (token, created) = app.create_customer("  Ada Lovelace ", "ada@example.com").await;
    assert_eq!(token.len(), 64);
    assert_eq!(created["customer"]["name"], "Ada Lovelace");
    assert_eq!(created["balance"], json!({"amount_minor": 500000, "currency": "EUR"}));
    let id = created["customer"]["id"].as_str().unwrap();

    let me = expect_json(app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(me["customer"], created["customer"]);
    assert_eq!(me["balance"]["amount_minor"], 500_000);

    let wallet =
        expect_json(app.customer(&token, Method::GET, "/api/v1/me/wallet").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(wallet["ledger"]["total"], 1);
    let entry = &wallet["ledger"]["items"][0];
    assert_eq!((entry["kind"].as_str(), entry["amount"]["amount_minor"].as_i64()), (Some("credit"), Some(500_000)));
    assert_eq!(entry["reference"], format!("credit:start:{id}"));

    let bookings = expect_json(
        app.customer(&token, Method::GET, "/api/v1/me/bookings?limit=10").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((bookings["total"].as_u64(), bookings["limit"].as_u64()), (Some(0), Some(10)));
}

#[tokio::test]
async fn starting_credit_follows_configuration() {
    let app = crate::helpers::spawn_app_with(|s| s.wallet.starting_credit_minor = 1234).await;
    let (_, created) = app.create_customer("Bob", "bob@example.com").await;
    assert_eq!(created["balance"]["amount_minor"], 1234);
}

#[tokio::test]
async fn customer_input_is_validated() {
    let app = spawn_app().await;
    app.create_customer("Ada", "ada@example.com").await;
    let response = app
        .request(Method::POST, "/api/v1/customers")
        .json(&json!({"name": "Ada 2", "email": "ADA@example.com"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "duplicate").await;
    assert_eq!(problem["field"], "email");
    for (body, field) in [
        (json!({"name": "", "email": "x@example.com"}), "name"),
        (json!({"name": "X", "email": "not-an-email"}), "email"),
        (json!({"name": "x".repeat(101), "email": "y@example.com"}), "name"),
    ] {
        let response = app.request(Method::POST, "/api/v1/customers").json(&body).send().await.unwrap();
        assert_eq!(
            expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
            field
        );
    }
    let response = app.request(Method::POST, "/api/v1/customers").json(&json!({"name": "X"})).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(problem["detail"].as_str().unwrap().contains("email"), "{problem}");
}

#[tokio::test]
async fn me_needs_a_customer_token() {
    let app = spawn_app().await;
    let response = app.request(Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app.staff(Method::GET, "/api/v1/me").send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.customer(&"f".repeat(64), Method::GET, "/api/v1/me/wallet").send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}
