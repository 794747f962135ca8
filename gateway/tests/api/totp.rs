//! Two-factor authentication: enrolment with a QR code, login with TOTP codes (replays
//! refused), recovery codes used once, disabling, and the staff requirement.

use boxoffice_gateway::security::totp::code_at;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{CUSTOMER_PASSWORD, TestApp, expect_json, expect_problem, spawn_app, spawn_app_with};

fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn login(app: &TestApp, extra: Value) -> reqwest::Response {
    let mut body = json!({"email": "ada@example.com", "password": CUSTOMER_PASSWORD});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.request(Method::POST, "/api/v1/auth/login").json(&body).send().await.unwrap()
}

/// Enrols TOTP for `token`'s account; its secret and recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let enrolment =
        expect_json(app.customer(token, Method::POST, "/api/v1/me/2fa/totp").send().await.unwrap(), StatusCode::OK)
            .await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    assert!(enrolment["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/boxoffice:"));
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let wrong = app
        .customer(token, Method::POST, "/api/v1/me/2fa/totp/confirm")
        .json(&json!({"code": "000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(expect_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "code");
    // A code of the previous step (within the skew) confirms; the login then uses the next one.
    let code = code_at(&secret, now_s() - 30).unwrap();
    let response = app
        .customer(token, Method::POST, "/api/v1/me/2fa/totp/confirm")
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    let codes = expect_json(response, StatusCode::OK).await["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

#[tokio::test]
async fn totp_is_asked_at_login_and_codes_work_once() {
    let app = spawn_app().await;
    let (token, _) = app.register_customer("Ada", "ada@example.com").await;
    let (secret, recovery) = enrol(&app, &token).await;
    assert_eq!(recovery.len(), 10);
    let again = app.customer(&token, Method::POST, "/api/v1/me/2fa/totp").send().await.unwrap();
    expect_problem(again, StatusCode::CONFLICT, "totp_already_enabled").await;

    expect_problem(login(&app, json!({})).await, StatusCode::UNAUTHORIZED, "second_factor_required").await;
    expect_problem(
        login(&app, json!({"totp_code": "123456"})).await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;
    let code = code_at(&secret, now_s()).unwrap();
    expect_json(login(&app, json!({"totp_code": code})).await, StatusCode::OK).await;
    expect_problem(login(&app, json!({"totp_code": code})).await, StatusCode::UNAUTHORIZED, "invalid_second_factor")
        .await;
    expect_json(login(&app, json!({"recovery_code": recovery[0].to_uppercase()})).await, StatusCode::OK).await;
    expect_problem(
        login(&app, json!({"recovery_code": recovery[0]})).await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;

    let disable = app
        .customer(&token, Method::POST, "/api/v1/me/2fa/totp/disable")
        .json(&json!({"password": "nope nope nope"}))
        .send()
        .await
        .unwrap();
    expect_problem(disable, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let disable = app
        .customer(&token, Method::POST, "/api/v1/me/2fa/totp/disable")
        .json(&json!({"password": CUSTOMER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(disable.status(), StatusCode::NO_CONTENT);
    expect_json(login(&app, json!({})).await, StatusCode::OK).await;
}

#[tokio::test]
async fn staff_must_enrol_when_configured() {
    let app = spawn_app_with(|s| s.accounts.require_totp_for_staff = true).await;
    let token = crate::helpers::staff_token(&app, "manager", "manny").await;
    let film = json!({"title": "T", "director": "D", "duration_minutes": 90});
    let response = app.customer(&token, Method::POST, "/api/v1/films").json(&film).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "totp_enrolment_required").await;
    let enrolment =
        expect_json(app.customer(&token, Method::POST, "/api/v1/me/2fa/totp").send().await.unwrap(), StatusCode::OK)
            .await;
    let code = code_at(enrolment["secret"].as_str().unwrap(), now_s()).unwrap();
    let confirm = app
        .customer(&token, Method::POST, "/api/v1/me/2fa/totp/confirm")
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    expect_json(confirm, StatusCode::OK).await;
    let response = app.customer(&token, Method::POST, "/api/v1/films").json(&film).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // The configured admin token is a machine credential: not asked.
    assert_eq!(app.staff(Method::GET, "/api/v1/staff").send().await.unwrap().status(), StatusCode::OK);
}
