//! Customers: registration with a password, the starting credit on verification, `/me`,
//! wallet statement and booking history, input validation.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{CUSTOMER_PASSWORD, expect_json, expect_problem, spawn_app};

fn registration(email: &str, username: &str) -> serde_json::Value {
    json!({"email": email, "username": username, "first_name": "Ada", "last_name": "Lovelace", "password": CUSTOMER_PASSWORD})
}

#[tokio::test]
async fn registration_gives_a_token_and_verification_the_starting_credit() {
    let app = spawn_app().await;
    let (token, created) = app.register_customer("  Ada Lovelace ", "ada@example.com").await;
    assert_eq!(token.len(), 64);
    assert_eq!(created["account"]["first_name"], "Ada Lovelace");
    assert_eq!(created["account"]["role"], "customer");
    assert_eq!(created["account"]["email_verified"], false);
    assert!(created["account"].get("password_hash").is_none(), "{created}");
    assert_eq!(created["balance"], json!({"amount_minor": 0, "currency": "EUR"}), "no credit before verification");
    let id = created["account"]["id"].as_str().unwrap().to_owned();

    let (_, verified) = app.create_customer("Bob", "bob@example.com").await;
    assert_eq!(verified["balance"], json!({"amount_minor": 500000, "currency": "EUR"}));
    let bob = verified["customer"]["id"].as_str().unwrap();

    let me = expect_json(app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(me["account"]["id"], id.as_str());
    assert_eq!(me["balance"]["amount_minor"], 0);

    let response = app.staff(Method::GET, &format!("/api/v1/customers/{bob}/wallet")).send().await.unwrap();
    let wallet = expect_json(response, StatusCode::OK).await;
    assert_eq!(wallet["ledger"]["total"], 1);
    let entry = &wallet["ledger"]["items"][0];
    assert_eq!((entry["kind"].as_str(), entry["amount"]["amount_minor"].as_i64()), (Some("credit"), Some(500_000)));
    assert_eq!(entry["reference"], format!("credit:start:{bob}"));

    let bookings = expect_json(
        app.customer(&token, Method::GET, "/api/v1/me/bookings?limit=10&when=upcoming").send().await.unwrap(),
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
async fn duplicates_name_the_taken_field() {
    let app = spawn_app().await;
    let post = |body: serde_json::Value| app.request(Method::POST, "/api/v1/customers").json(&body).send();
    expect_json(post(registration("ada@example.com", "ada")).await.unwrap(), StatusCode::CREATED).await;
    let problem =
        expect_problem(post(registration("ADA@example.com", "ada2")).await.unwrap(), StatusCode::CONFLICT, "duplicate")
            .await;
    assert_eq!(problem["field"], "email");
    let problem = expect_problem(
        post(registration("other@example.com", "ADA")).await.unwrap(),
        StatusCode::CONFLICT,
        "duplicate",
    )
    .await;
    assert_eq!(problem["field"], "username");
}

#[tokio::test]
async fn registration_input_is_validated_naming_the_field() {
    let app = spawn_app().await;
    let base = registration("x@example.com", "xavier");
    let cases = [
        ("email", json!("not-an-email")),
        ("username", json!("a b")),
        ("first_name", json!("")),
        ("last_name", json!("x".repeat(101))),
        ("password", json!("short")),
        ("password", json!("password1234")),
        ("password", json!("azertyuiop")),
        ("phone", json!("call me maybe")),
        ("birth_date", json!("31/12/1990")),
        ("language", json!("de")),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value;
        let response = app.request(Method::POST, "/api/v1/customers").json(&body).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let response =
        app.request(Method::POST, "/api/v1/customers").json(&json!({"email": "x@example.com"})).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(problem["detail"].as_str().unwrap().contains("username"), "{problem}");
}

#[tokio::test]
async fn me_needs_a_customer() {
    let app = spawn_app().await;
    let response = app.request(Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app.staff(Method::GET, "/api/v1/me").send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.customer(&"f".repeat(64), Method::GET, "/api/v1/me/wallet").send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}
