//! Roles on every kind of endpoint, IDOR (a customer never reaches another's bookings,
//! holds, wallet or data), security headers and CORS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, at, expect_json, expect_problem, spawn_app, spawn_app_with, staff_token};

fn film_body() -> Value {
    json!({"title": "Roles", "director": "D", "duration_minutes": 90})
}

#[tokio::test]
async fn every_role_gets_exactly_its_permissions() {
    let app = spawn_app().await;
    let manager = staff_token(&app, "manager", "manny").await;
    let cashier = staff_token(&app, "cashier", "cassie").await;
    let (customer, created) = app.create_customer("Cid", "cid@example.com").await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let kiosk = expect_json(
        app.staff(Method::POST, "/api/v1/kiosks").json(&json!({"name": "lobby-1"})).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let kiosk = kiosk["token"].as_str().unwrap().to_owned();

    let send = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let request = app.customer(token, method, path);
        let request = match body {
            Some(b) => request.json(&b),
            None => request,
        };
        request.send()
    };
    // Catalog changes: admin and manager only.
    assert_eq!(
        send(&manager, Method::POST, "/api/v1/films", Some(film_body())).await.unwrap().status(),
        StatusCode::CREATED
    );
    for token in [&cashier, &customer, &kiosk] {
        let response = send(token, Method::POST, "/api/v1/films", Some(film_body())).await.unwrap();
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // Staff management and the audit log: admin only.
    for token in [&manager, &cashier, &customer, &kiosk] {
        expect_problem(
            send(token, Method::GET, "/api/v1/staff", None).await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        expect_problem(
            send(token, Method::GET, "/api/v1/audit", None).await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // Customer data and wallet adjustments: admin and manager.
    let wallet = format!("/api/v1/customers/{customer_id}/wallet");
    assert_eq!(send(&manager, Method::GET, &wallet, None).await.unwrap().status(), StatusCode::OK);
    let adjust = json!({"amount_minor": 1000, "reason": "goodwill", "kind": "top_up"});
    let adjustments = format!("{wallet}/adjustments");
    assert_eq!(
        send(&manager, Method::POST, &adjustments, Some(adjust.clone())).await.unwrap().status(),
        StatusCode::CREATED
    );
    for token in [&cashier, &customer, &kiosk] {
        expect_problem(send(token, Method::GET, &wallet, None).await.unwrap(), StatusCode::FORBIDDEN, "forbidden")
            .await;
        expect_problem(
            send(token, Method::POST, &adjustments, Some(adjust.clone())).await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // The box office: admin, manager, cashier.
    let sale = json!({"showtime_id": "01a200a0-0000-7000-8000-000000000000", "quantity": 1, "payment": "cash"});
    for token in [&customer, &kiosk] {
        expect_problem(
            send(token, Method::POST, "/api/v1/box-office/sales", Some(sale.clone())).await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    expect_problem(
        send(&cashier, Method::POST, "/api/v1/box-office/sales", Some(sale)).await.unwrap(),
        StatusCode::NOT_FOUND,
        "showtime_not_found",
    )
    .await;
    // Customer endpoints: customers only.
    for token in [&manager, &cashier, &kiosk] {
        expect_problem(send(token, Method::GET, "/api/v1/me", None).await.unwrap(), StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
    let session =
        expect_json(send(&kiosk, Method::GET, "/api/v1/auth/session", None).await.unwrap(), StatusCode::OK).await;
    assert_eq!(session["role"], "kiosk");
    // A kiosk device has no profile, email, password or second factor of its own.
    for (method, path, body) in [
        (Method::GET, "/api/v1/me/profile", None),
        (Method::PATCH, "/api/v1/me/profile", Some(json!({"first_name": "X"}))),
        (Method::POST, "/api/v1/me/2fa/totp", None),
    ] {
        let response = send(&kiosk, method, path, body).await.unwrap();
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    expect_json(send(&manager, Method::GET, "/api/v1/me/profile", None).await.unwrap(), StatusCode::OK).await;
}

#[tokio::test]
async fn customers_never_reach_each_others_records() {
    let app = spawn_app().await;
    let film = app.create_film("IDOR", 90, &[], &[]).await;
    let room = app.create_auditorium("Salle I", SMALL).await;
    let show = app.create_showtime(&film, &room, &at(1, 0)).await["id"].as_str().unwrap().to_owned();
    let (ada, ada_body) = app.create_customer("Ada", "ada@example.com").await;
    let (eve, _) = app.create_customer("Eve", "eve@example.com").await;
    let ada_id = ada_body["customer"]["id"].as_str().unwrap().to_owned();
    let held = expect_json(
        app.customer(&ada, Method::POST, &format!("/api/v1/showtimes/{show}/holds"))
            .json(&json!({"seats": ["A1", "A2"]}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let hold_id = held["hold_id"].as_str().unwrap().to_owned();

    // Eve cannot buy, release or see Ada's hold.
    let purchase = format!("/api/v1/showtimes/{show}/holds/{hold_id}/purchase");
    expect_problem(
        app.customer(&eve, Method::POST, &purchase).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "hold_not_found",
    )
    .await;
    let release = format!("/api/v1/showtimes/{show}/holds/{hold_id}");
    expect_problem(
        app.customer(&eve, Method::DELETE, &release).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "hold_not_found",
    )
    .await;
    let current = format!("/api/v1/showtimes/{show}/holds/current");
    expect_problem(
        app.customer(&eve, Method::GET, &current).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "hold_not_found",
    )
    .await;

    let booking =
        expect_json(app.customer(&ada, Method::POST, &purchase).send().await.unwrap(), StatusCode::CREATED).await;
    let booking_id = booking["id"].as_str().unwrap();
    // Eve cannot see or cancel Ada's booking: 404, as if it did not exist.
    for (method, path) in [
        (Method::GET, format!("/api/v1/bookings/{booking_id}")),
        (Method::POST, format!("/api/v1/bookings/{booking_id}/cancel")),
    ] {
        expect_problem(
            app.customer(&eve, method, &path).send().await.unwrap(),
            StatusCode::NOT_FOUND,
            "booking_not_found",
        )
        .await;
    }
    // Nor Ada's account, bookings, wallet or ticket by id.
    for path in [
        format!("/api/v1/customers/{ada_id}"),
        format!("/api/v1/customers/{ada_id}/bookings"),
        format!("/api/v1/customers/{ada_id}/wallet"),
        format!("/api/v1/box-office/tickets/{booking_id}"),
        format!("/api/v1/staff/{ada_id}"),
    ] {
        expect_problem(
            app.customer(&eve, Method::GET, &path).send().await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let verify = format!("/api/v1/customers/{ada_id}/verify-email");
    expect_problem(app.customer(&eve, Method::POST, &verify).send().await.unwrap(), StatusCode::FORBIDDEN, "forbidden")
        .await;
    // Her own lists hold nothing of Ada's.
    let mine =
        expect_json(app.customer(&eve, Method::GET, "/api/v1/me/bookings").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(mine["total"], 0);
    let wallet =
        expect_json(app.customer(&eve, Method::GET, "/api/v1/me/wallet").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(wallet["ledger"]["total"], 1, "only her starting credit");
    // Ada still sees and cancels her own.
    expect_json(
        app.customer(&ada, Method::GET, &format!("/api/v1/bookings/{booking_id}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn security_headers_are_on_every_answer_and_cors_is_closed_by_default() {
    let app = spawn_app().await;
    for path in ["/api/v1/films", "/api/docs", "/api/v1/nope", "/account/verify-email?token=x"] {
        let response = app.request(Method::GET, path).send().await.unwrap();
        let headers = response.headers();
        assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS without TLS");
    }
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/films")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn configured_origins_get_cors_headers() {
    let app = spawn_app_with(|s| s.security.cors_allowed_origins = vec!["https://tickets.example".into()]).await;
    let ask = |origin: &'static str| {
        app.request(Method::OPTIONS, "/api/v1/films")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-csrf-token")
            .send()
    };
    let allowed = ask("https://tickets.example").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://tickets.example");
    assert_eq!(allowed.headers()["access-control-allow-credentials"], "true");
    let refused = ask("https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}
