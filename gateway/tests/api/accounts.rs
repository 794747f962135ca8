//! Accounts through the real server: email verification links (from the `.eml` outbox),
//! purchases gated on it, enumeration-safe login, rate limits, password reset, profile
//! changes, sessions and CSRF, deletion and export.

use boxoffice_gateway::security::signing::{Purpose, SigningKey, binding, parse_key};
use boxoffice_storage::{AccountId, Timestamp};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{CUSTOMER_PASSWORD, SMALL, TestApp, at, expect_json, expect_problem, spawn_app, spawn_app_with};

/// The link of `path` in an email (quoted-printable soft breaks undone).
pub fn link_in(eml: &str, path: &str) -> String {
    let text = eml.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = text.find(path).unwrap_or_else(|| panic!("no {path} link in {text}"));
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The `token` parameter of the link of `path` in an email.
pub fn token_in(eml: &str, path: &str) -> String {
    let link = link_in(eml, path);
    let token = link.split_once("token=").expect("token parameter").1;
    token.split('&').next().unwrap_or(token).to_owned()
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn token_of(app: &TestApp, email: &str, password: &str) -> String {
    expect_json(login(app, email, password).await, StatusCode::OK).await["token"].as_str().unwrap().to_owned()
}

/// A showtime tomorrow in a small room; its id.
async fn showtime(app: &TestApp) -> String {
    let film = app.create_film("Accounts", 100, &["drama"], &["fr"]).await;
    let room = app.create_auditorium("Salle A", SMALL).await;
    app.create_showtime(&film, &room, &at(1, 0)).await["id"].as_str().unwrap().to_owned()
}

async fn hold(app: &TestApp, token: &str, show: &str, seat: &str) -> Value {
    let response = app
        .customer(token, Method::POST, &format!("/api/v1/showtimes/{show}/holds"))
        .json(&json!({"seats": [seat]}))
        .send()
        .await
        .unwrap();
    expect_json(response, StatusCode::CREATED).await
}

#[tokio::test]
async fn unverified_customers_hold_but_buy_only_after_the_emailed_link() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let (token, created) = app.register_customer("Ada", "ada@example.com").await;
    let held = hold(&app, &token, &show, "A1").await;
    let purchase = format!("/api/v1/showtimes/{show}/holds/{}/purchase", held["hold_id"].as_str().unwrap());
    let response = app.customer(&token, Method::POST, &purchase).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "email_unverified").await;

    let mails = app.outbox(1).await;
    assert!(mails[0].contains("To: ada@example.com") && mails[0].contains("Confirm your email"), "{}", mails[0]);
    let link = format!("{}{}", app.address, link_in(&mails[0], "/account/verify-email"));
    let decoded = mails[0].replace("=\r\n", "").replace("=3D", "=");
    assert!(decoded.contains(&link), "absolute link to this server: {decoded}");
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.text().await.unwrap().contains("<form method=\"post\""), "opening the link consumes nothing");
    let token_param = token_in(&mails[0], "/account/verify-email");
    let response = app
        .request(Method::POST, "/account/verify-email")
        .form(&[("token", token_param.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let again = app
        .request(Method::POST, "/api/v1/auth/verify-email")
        .json(&json!({"token": token_param}))
        .send()
        .await
        .unwrap();
    expect_problem(again, StatusCode::GONE, "link_used").await;

    let me = expect_json(app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(
        (me["account"]["email_verified"].as_bool(), me["balance"]["amount_minor"].as_i64()),
        (Some(true), Some(500_000))
    );
    let booking =
        expect_json(app.customer(&token, Method::POST, &purchase).send().await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(booking["customer_id"], created["account"]["id"]);
    let mails = app.outbox(2).await;
    let confirmation = &mails[1];
    let reference = booking["reference"].as_str().unwrap();
    assert!(
        confirmation.contains(reference) && confirmation.contains("Accounts") && confirmation.contains("Salle A"),
        "{confirmation}"
    );
    assert!(confirmation.contains("image/png") && confirmation.contains("ticket-qr"), "QR code inline: {confirmation}");
    let history = expect_json(
        app.customer(&token, Method::GET, "/api/v1/me/bookings?when=upcoming").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((history["total"].as_u64(), history["items"][0]["film_title"].as_str()), (Some(1), Some("Accounts")));
}

#[tokio::test]
async fn expired_forged_and_garbage_links_are_refused() {
    let app = spawn_app().await;
    let (_, created) = app.register_customer("Ada", "ada@example.com").await;
    let key = std::fs::read_to_string(app.dir.path().join("signing-key")).unwrap();
    let key = SigningKey::from_bytes(parse_key(&key).unwrap());
    let account: AccountId = created["account"]["id"].as_str().unwrap().parse().unwrap();
    let past = Timestamp::now().minus_millis(1_000);
    let expired = key.link_token(Purpose::VerifyEmail, account, past, &binding("ada@example.com"));
    let verify =
        |token: String| app.request(Method::POST, "/api/v1/auth/verify-email").json(&json!({"token": token})).send();
    expect_problem(verify(expired).await.unwrap(), StatusCode::GONE, "link_expired").await;
    let future = Timestamp::now().plus_millis(60_000);
    let forged =
        SigningKey::from_bytes([9; 32]).link_token(Purpose::VerifyEmail, account, future, &binding("ada@example.com"));
    let problem = expect_problem(verify(forged).await.unwrap(), StatusCode::BAD_REQUEST, "link_invalid").await;
    assert_eq!(problem["field"], "token");
    expect_problem(verify("garbage".into()).await.unwrap(), StatusCode::BAD_REQUEST, "link_invalid").await;
    let reset = key.link_token(Purpose::ResetPassword, account, future, "x");
    expect_problem(verify(reset).await.unwrap(), StatusCode::BAD_REQUEST, "link_invalid").await;
    let response = app.request(Method::POST, "/api/v1/auth/verify-email").json(&json!({})).send().await.unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn login_does_not_tell_a_wrong_email_from_a_wrong_password() {
    let app = spawn_app().await;
    app.register_customer("Ada", "ada@example.com").await;
    let wrong_password = expect_problem(
        login(&app, "ada@example.com", "not the password at all").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let wrong_email = expect_problem(
        login(&app, "nobody@example.com", CUSTOMER_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong_password, wrong_email);
    let answer = expect_json(login(&app, "ADA@example.com", CUSTOMER_PASSWORD).await, StatusCode::OK).await;
    let token = answer["token"].as_str().unwrap();
    assert_eq!(
        expect_json(app.customer(token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await["account"]
            ["email"],
        "ada@example.com"
    );
    let response = app
        .request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": "ada@example.com"}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn logins_are_rate_limited_per_ip_and_per_account() {
    let app = spawn_app_with(|s| {
        s.accounts.login_per_ip_max = 3;
        s.accounts.login_failures_per_account_max = 2;
    })
    .await;
    app.register_customer("Ada", "ada@example.com").await;
    for _ in 0..2 {
        expect_problem(
            login(&app, "ada@example.com", "wrong password 123").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let limited = login(&app, "ada@example.com", CUSTOMER_PASSWORD).await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The per-IP budget (3) is now spent too, whatever the account.
    expect_problem(
        login(&app, "bob@example.com", "whatever password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn password_reset_by_email_is_single_use_and_signs_out_everywhere() {
    let app = spawn_app().await;
    let (old_token, _) = app.register_customer("Ada", "ada@example.com").await;
    let ask =
        |email: &str| app.request(Method::POST, "/api/v1/auth/password-reset").json(&json!({"email": email})).send();
    let unknown = expect_json(ask("nobody@example.com").await.unwrap(), StatusCode::ACCEPTED).await;
    let known = expect_json(ask("ada@example.com").await.unwrap(), StatusCode::ACCEPTED).await;
    assert_eq!(unknown, known, "no account enumeration");
    let mails = app.outbox(2).await;
    let reset = mails.iter().find(|m| m.contains("/account/reset-password")).expect("reset email");
    let token = token_in(reset, "/account/reset-password");
    let confirm = |password: &str| {
        app.request(Method::POST, "/api/v1/auth/password-reset/confirm")
            .json(&json!({"token": token, "new_password": password}))
            .send()
    };
    let weak =
        expect_problem(confirm("password123").await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(weak["field"], "new_password");
    assert_eq!(confirm("a brand new passphrase").await.unwrap().status(), StatusCode::NO_CONTENT);
    expect_problem(confirm("another new passphrase").await.unwrap(), StatusCode::GONE, "link_used").await;
    let response = app.customer(&old_token, Method::GET, "/api/v1/me").send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect_problem(
        login(&app, "ada@example.com", CUSTOMER_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    token_of(&app, "ada@example.com", "a brand new passphrase").await;
    let response =
        app.request(Method::POST, "/api/v1/auth/password-reset").json(&json!({"email": "nope"})).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "email");
}

#[tokio::test]
async fn unknown_reset_emails_are_revealed_only_when_configured_and_resets_are_limited() {
    let app = spawn_app_with(|s| {
        s.accounts.reveal_unknown_email = true;
        s.accounts.reset_per_account_max = 1;
    })
    .await;
    app.register_customer("Ada", "ada@example.com").await;
    let ask =
        |email: &str| app.request(Method::POST, "/api/v1/auth/password-reset").json(&json!({"email": email})).send();
    let problem =
        expect_problem(ask("nobody@example.com").await.unwrap(), StatusCode::NOT_FOUND, "unknown_email").await;
    assert_eq!(problem["field"], "email");
    expect_json(ask("ada@example.com").await.unwrap(), StatusCode::ACCEPTED).await;
    let limited = ask("ada@example.com").await.unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn profile_email_and_password_changes() {
    let app = spawn_app().await;
    let (token, _) = app.create_customer("Ada", "ada@example.com").await;
    let second = token_of(&app, "ada@example.com", CUSTOMER_PASSWORD).await;
    let patch =
        json!({"first_name": "Augusta", "phone": "+33 1 23 45 67 89", "language": "fr", "birth_date": "1990-12-10"});
    let response = app.customer(&token, Method::PATCH, "/api/v1/me/profile").json(&patch).send().await.unwrap();
    let profile = expect_json(response, StatusCode::OK).await;
    assert_eq!((profile["first_name"].as_str(), profile["language"].as_str()), (Some("Augusta"), Some("fr")));
    let response =
        app.customer(&token, Method::PATCH, "/api/v1/me/profile").json(&json!({"phone": "nope"})).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "phone");

    let same = json!({"new_email": "ADA@example.com", "password": CUSTOMER_PASSWORD});
    let response = app.customer(&token, Method::POST, "/api/v1/me/email").json(&same).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!((problem["field"].as_str(), problem["reason"].as_str()), (Some("new_email"), Some("nothing_to_change")));
    app.register_customer("Other", "taken@example.com").await;
    let taken = json!({"new_email": "taken@example.com", "password": CUSTOMER_PASSWORD});
    let response = app.customer(&token, Method::POST, "/api/v1/me/email").json(&taken).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::CONFLICT, "duplicate").await["field"], "new_email");

    let change = json!({"new_email": "augusta@example.com", "password": CUSTOMER_PASSWORD});
    let response = app.customer(&token, Method::POST, "/api/v1/me/email").json(&change).send().await.unwrap();
    let pending = expect_json(response, StatusCode::ACCEPTED).await;
    assert_eq!(
        (pending["email"].as_str(), pending["pending_email"].as_str()),
        (Some("ada@example.com"), Some("augusta@example.com"))
    );
    let mails = app.outbox(3).await; // Ada's and Other's sign-up, then the new address
    let mail = mails.iter().find(|m| m.contains("To: augusta@example.com")).expect("verification to the new address");
    assert!(mail.contains("Confirmez"), "French now: {mail}");
    let link = token_in(mail, "/account/verify-email");
    let verified =
        app.request(Method::POST, "/api/v1/auth/verify-email").json(&json!({"token": link})).send().await.unwrap();
    assert_eq!(expect_json(verified, StatusCode::OK).await["email"], "augusta@example.com");

    let wrong = json!({"current_password": "not my password", "new_password": "a brand new passphrase"});
    let response = app.customer(&token, Method::POST, "/api/v1/me/password").json(&wrong).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "current_password"
    );
    let good = json!({"current_password": CUSTOMER_PASSWORD, "new_password": "a brand new passphrase"});
    let response = app.customer(&token, Method::POST, "/api/v1/me/password").json(&good).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        app.customer(&second, Method::GET, "/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "others end"
    );
}

#[tokio::test]
async fn logout_and_logout_everywhere_revoke_tokens() {
    let app = spawn_app().await;
    let (first, _) = app.register_customer("Ada", "ada@example.com").await;
    let second = token_of(&app, "ada@example.com", CUSTOMER_PASSWORD).await;
    let third = token_of(&app, "ada@example.com", CUSTOMER_PASSWORD).await;
    assert_eq!(
        app.customer(&first, Method::POST, "/api/v1/auth/logout").send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.customer(&first, Method::GET, "/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.customer(&second, Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        app.customer(&second, Method::POST, "/api/v1/auth/logout-all").send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    for token in [&second, &third] {
        assert_eq!(
            app.customer(token, Method::GET, "/api/v1/me").send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

fn cookie_pair(response: &reqwest::Response, name: &str) -> (String, String) {
    let header = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"));
    let value = header.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    (value, header)
}

#[tokio::test]
async fn browser_sessions_use_httponly_cookies_and_need_the_csrf_token() {
    let app = spawn_app().await;
    app.register_customer("Ada", "ada@example.com").await;
    let body = json!({"email": "ada@example.com", "password": CUSTOMER_PASSWORD, "session": true});
    let response = app.request(Method::POST, "/api/v1/auth/login").json(&body).send().await.unwrap();
    let (session, header) = cookie_pair(&response, "boxoffice_session");
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax") && !header.contains("Secure"), "{header}");
    let (csrf_cookie, csrf_header) = cookie_pair(&response, "boxoffice_csrf");
    assert!(!csrf_header.contains("HttpOnly"), "{csrf_header}");
    let answer = expect_json(response, StatusCode::OK).await;
    assert_eq!((answer["token"].clone(), answer["csrf_token"].as_str()), (Value::Null, Some(csrf_cookie.as_str())));
    let cookie = format!("boxoffice_session={session}");
    let with_cookie = |method: Method, path: &str| app.request(method, path).header(COOKIE, &cookie);
    let me = with_cookie(Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "reads need no CSRF token");
    let patch = json!({"first_name": "Augusta"});
    let response = with_cookie(Method::PATCH, "/api/v1/me/profile").json(&patch).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "csrf_failed").await;
    let response = with_cookie(Method::PATCH, "/api/v1/me/profile")
        .header("x-csrf-token", "forged")
        .json(&patch)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "csrf_failed").await;
    let response = with_cookie(Method::PATCH, "/api/v1/me/profile")
        .header("x-csrf-token", &csrf_cookie)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_json(response, StatusCode::OK).await["first_name"], "Augusta");
    let response =
        with_cookie(Method::POST, "/api/v1/auth/logout").form(&[("csrf_token", "nope")]).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "csrf_failed").await;
    let response = with_cookie(Method::POST, "/api/v1/auth/logout")
        .form(&[("csrf_token", csrf_cookie.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "a form post with the field passes");
    assert!(response.headers().get_all(SET_COOKIE).iter().any(|c| c.to_str().unwrap().contains("Max-Age=0")));
    assert_eq!(with_cookie(Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deletion_erases_personal_data_keeps_bookings_and_export_has_everything() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let (token, created) = app.create_customer("Ada", "ada@example.com").await;
    let id = created["customer"]["id"].as_str().unwrap().to_owned();
    let held = hold(&app, &token, &show, "B2").await;
    let purchase = format!("/api/v1/showtimes/{show}/holds/{}/purchase", held["hold_id"].as_str().unwrap());
    let booking =
        expect_json(app.customer(&token, Method::POST, &purchase).send().await.unwrap(), StatusCode::CREATED).await;

    let response = app.customer(&token, Method::GET, "/api/v1/me/export").send().await.unwrap();
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let export = expect_json(response, StatusCode::OK).await;
    assert_eq!(export["account"]["email"], "ada@example.com");
    assert_eq!(export["bookings"][0]["id"], booking["id"]);
    assert_eq!(export["ledger"].as_array().unwrap().len(), 2, "credit and payment");
    assert!(!export["sessions"].as_array().unwrap().is_empty());
    assert!(!export.to_string().contains("argon2"), "no password hash");

    let delete = |body: Value| app.customer(&token, Method::POST, "/api/v1/me/delete").json(&body).send();
    let problem = expect_problem(
        delete(json!({"password": CUSTOMER_PASSWORD, "confirm": false})).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["field"], "confirm");
    let problem = expect_problem(
        delete(json!({"password": "wrong password!", "confirm": true})).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["field"], "password");
    assert_eq!(
        delete(json!({"password": CUSTOMER_PASSWORD, "confirm": true})).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    expect_problem(
        login(&app, "ada@example.com", CUSTOMER_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let kept = expect_json(
        app.staff(Method::GET, &format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap())).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((kept["status"].as_str(), kept["customer_id"].as_str()), (Some("confirmed"), Some(id.as_str())));
    let erased =
        expect_json(app.staff(Method::GET, &format!("/api/v1/customers/{id}")).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!((erased["account"]["email"].clone(), erased["account"]["first_name"].as_str()), (Value::Null, Some("")));
    app.register_customer("Ada again", "ada@example.com").await;
}

#[tokio::test]
async fn cancellations_by_the_customer_and_by_the_cinema_are_emailed() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let (token, _) = app.create_customer("Ada", "ada@example.com").await;
    let mut bookings = Vec::new();
    for seat in ["A1", "A2"] {
        let held = hold(&app, &token, &show, seat).await;
        let purchase = format!("/api/v1/showtimes/{show}/holds/{}/purchase", held["hold_id"].as_str().unwrap());
        bookings.push(
            expect_json(app.customer(&token, Method::POST, &purchase).send().await.unwrap(), StatusCode::CREATED).await,
        );
    }
    let cancel = format!("/api/v1/bookings/{}/cancel", bookings[0]["id"].as_str().unwrap());
    expect_json(app.customer(&token, Method::POST, &cancel).send().await.unwrap(), StatusCode::OK).await;
    let mails = app.outbox(4).await;
    let cancelled =
        mails.iter().find(|m| m.contains("cancelled") && m.contains(bookings[0]["reference"].as_str().unwrap()));
    assert!(
        cancelled.is_some_and(|m| m.contains("Refund: =E2=82=AC12.50") /* "€12.50", quoted-printable */),
        "{} emails, none a cancellation",
        mails.len()
    );
    assert!(cancelled.is_some_and(|m| !m.contains(" UTC")), "times in the cinema's time zone");
    for mail in &mails {
        assert!(
            mail.contains("MIME-Version: 1.0") && mail.contains("Message-ID: <"),
            "headers of every message: {mail}"
        );
    }
    let response = app.staff(Method::POST, &format!("/api/v1/showtimes/{show}/cancel")).send().await.unwrap();
    expect_json(response, StatusCode::OK).await;
    let mails = app.outbox(5).await;
    let by_cinema = mails.iter().find(|m| m.contains("Showtime cancelled")).expect("showtime cancelled email");
    assert!(by_cinema.contains(bookings[1]["reference"].as_str().unwrap()), "{by_cinema}");
    assert!(!by_cinema.contains(bookings[0]["reference"].as_str().unwrap()), "only bookings the cinema cancelled");
}

#[tokio::test]
async fn a_booking_notice_left_in_the_outbox_is_mailed_without_a_wake_up() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let (token, _) = app.create_customer("Ada", "ada@example.com").await;
    let held = hold(&app, &token, &show, "A1").await;
    let purchase = format!("/api/v1/showtimes/{show}/holds/{}/purchase", held["hold_id"].as_str().unwrap());
    let booking =
        expect_json(app.customer(&token, Method::POST, &purchase).send().await.unwrap(), StatusCode::CREATED).await;
    let reference = booking["reference"].as_str().unwrap();
    let confirmations = |mails: &[String]| mails.iter().filter(|m| m.contains(reference)).count();
    assert_eq!(confirmations(&app.outbox(2).await), 1, "the confirmation (after the verification email)");

    // What a crash between the journal write and the email leaves behind: a notice in the
    // outbox table that no route woke the worker for. The worker finds it by itself.
    let db = rusqlite::Connection::open(app.dir.path().join("boxoffice.db")).expect("open the database");
    db.busy_timeout(std::time::Duration::from_secs(5)).expect("busy timeout");
    db.execute(
        "INSERT INTO booking_notices (booking_id, kind) VALUES (?1, 'confirmed')",
        [booking["id"].as_str().unwrap()],
    )
    .expect("notice");
    assert_eq!(confirmations(&app.outbox(3).await), 2, "mailed (again: at least once)");
    let left = || db.query_row("SELECT COUNT(*) FROM booking_notices", [], |r| r.get::<_, i64>(0)).expect("count");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while left() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(left(), 0, "acknowledged once mailed");
}
