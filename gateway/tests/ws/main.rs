//! Black-box tests of the WebSocket endpoint `/ws`: the real server on a free port, real
//! tokio-tungstenite clients, HTTP decisions seen as live changes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, dead_code)]

#[path = "../api/helpers.rs"]
mod helpers;

mod bad_input;
mod client;
mod feed;
mod fuzz;
mod kiosk;
mod permissions;
mod slow;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, TestApp, at, expect_json};

/// A showtime in the small room (A1..A4, B1..B4); its id.
pub async fn showtime(app: &TestApp) -> String {
    showtime_in(app, SMALL).await
}

/// A showtime in a room of `rows`; its id.
pub async fn showtime_in(app: &TestApp, rows: &[(&str, &str)]) -> String {
    let film = app.create_film("Live", 100, &["drama"], &["en"]).await;
    let n = rand_suffix();
    let room = app.create_auditorium(&format!("Room {n}"), rows).await;
    let showtime = app.create_showtime(&film, &room, &at(3, 0)).await;
    showtime["id"].as_str().expect("id").to_owned()
}

fn rand_suffix() -> u64 {
    u64::from(std::process::id()) * 1_000_000 + u64::from(rand_u32())
}

fn rand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A customer whose email staff verified (so it has the starting credit and may buy); its
/// token.
pub async fn verified_customer(app: &TestApp) -> String {
    let (token, id) = register(app).await;
    let response =
        app.staff(Method::POST, &format!("/api/v1/customers/{id}/verify-email")).send().await.expect("verify");
    expect_json(response, StatusCode::OK).await;
    token
}

/// A customer token (the email not verified yet: it may hold, not buy).
pub async fn customer(app: &TestApp) -> String {
    register(app).await.0
}

/// Registers a customer: its token and account id.
async fn register(app: &TestApp) -> (String, String) {
    let n = rand_suffix();
    let body = json!({
        "email": format!("ws{n}@example.test"), "username": format!("ws{n}"),
        "first_name": "Web", "last_name": "Socket", "password": format!("correct horse battery {n}"),
    });
    let response = app.request(Method::POST, "/api/v1/customers").json(&body).send().await.expect("register");
    let created = expect_json(response, StatusCode::CREATED).await;
    let token = created["token"].as_str().expect("token").to_owned();
    (token, created["account"]["id"].as_str().expect("id").to_owned())
}

/// Holds seats over HTTP as a customer; the hold.
pub async fn http_hold(app: &TestApp, token: &str, showtime: &str, seats: &[&str]) -> Value {
    let path = format!("/api/v1/showtimes/{showtime}/holds");
    let response = app.customer(token, Method::POST, &path).json(&json!({"seats": seats})).send().await.expect("hold");
    expect_json(response, StatusCode::CREATED).await
}

/// The live seat map over HTTP.
pub async fn seat_map(app: &TestApp, showtime: &str) -> Value {
    app.get_json(&format!("/api/v1/showtimes/{showtime}/seats"), StatusCode::OK).await
}
