//! Every error mapping reachable from outside: bodies, paths, routes, limits, auth.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{expect_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn json_body_rejections_name_what_was_wrong() {
    let app = spawn_app().await;
    let post = |body: &'static str, content_type: &'static str| {
        app.staff(Method::POST, "/api/v1/films").header("content-type", content_type).body(body).send()
    };
    let problem = expect_problem(
        post("{\"title\": ", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("line 1"), "{problem}");

    let problem = expect_problem(
        post("{\"title\": \"T\"}", "application/json").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("missing field `director`"), "{problem}");

    let body = "{\"title\": 5, \"director\": \"D\", \"duration_minutes\": 90}";
    let problem =
        expect_problem(post(body, "application/json").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("title: invalid type"), "{problem}");

    let body = "{\"title\": \"T\", \"director\": \"D\", \"duration_minutes\": 90, \"colour\": true}";
    let problem =
        expect_problem(post(body, "application/json").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("colour"), "{problem}");

    expect_problem(
        post("{}", "text/plain").await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn bad_path_unknown_route_and_wrong_method() {
    let app = spawn_app().await;
    let response = app.request(Method::GET, "/api/v1/showtimes/not-a-uuid").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::BAD_REQUEST, "invalid_path").await;
    assert!(problem["detail"].as_str().unwrap().contains("not-a-uuid"), "{problem}");

    let response = app.request(Method::GET, "/api/v1/nothing-here").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::NOT_FOUND, "route_not_found").await;
    assert!(problem["detail"].as_str().unwrap().contains("/api/v1/nothing-here"));
    expect_problem(app.request(Method::GET, "/nope").send().await.unwrap(), StatusCode::NOT_FOUND, "route_not_found")
        .await;

    let response = app.staff(Method::PATCH, "/api/v1/films").send().await.unwrap();
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    expect_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let app = spawn_app_with(|s| s.server.body_limit_bytes = 2048).await;
    let big = json!({"title": "x".repeat(4096), "director": "D", "duration_minutes": 90});
    let response = app.staff(Method::POST, "/api/v1/films").json(&big).send().await.unwrap();
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Also when the idempotency middleware reads the body.
    let response =
        app.staff(Method::POST, "/api/v1/films").header("idempotency-key", "big-1").json(&big).send().await.unwrap();
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // And for an optional body (a purchase's tiers), read before the hold is looked at.
    let (token, _) = app.create_customer("Ada", "ada@example.test").await;
    let ids = "01a2529e-3977-73c2-a2ea-13d2097b9ea5/holds/01a2529e-397c-75f0-83d2-008d80dc22c1";
    let purchase = format!("/api/v1/showtimes/{ids}/purchase");
    let tiers = json!({"tiers": [], "pad": "x".repeat(4096)});
    let response = app.customer(&token, Method::POST, &purchase).json(&tiers).send().await.unwrap();
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn missing_unknown_or_wrong_kind_of_token() {
    let app = spawn_app().await;
    let body = json!({"title": "T", "director": "D", "duration_minutes": 90});
    let response = app.request(Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let problem = expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(problem["detail"].as_str().unwrap().contains("missing"));

    let response = app.customer("unknown-token", Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app
        .request(Method::POST, "/api/v1/films")
        .header("authorization", "Basic abc")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let (token, _) = app.create_customer("C", "c@example.com").await;
    let response = app.customer(&token, Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app
        .customer(&token, Method::DELETE, "/api/v1/auditoriums/01a200a0-0000-7000-8000-000000000000")
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
}
