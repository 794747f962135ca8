//! The web pages over plain HTTP (no browser): languages, bad input, unknown ids, CSRF on
//! form posts, and the messages a customer reads when a seat was just taken, the balance is
//! too low or the hold has expired. (The browser tests walk the happy path.)

use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode, redirect};
use serde_json::json;

use crate::helpers::{CUSTOMER_PASSWORD, TestApp, at, expect_json, spawn_app};

/// A client that shows redirects instead of following them.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(redirect::Policy::none()).build().expect("client")
}

/// A browser session of a verified customer: `(Cookie header, CSRF token)`.
pub(crate) async fn session(app: &TestApp, email: &str) -> (String, String) {
    let (_, body) = app.create_customer("Web", email).await;
    let email = body["account"]["email"].as_str().expect("email").to_owned();
    sign_in(app, &email, CUSTOMER_PASSWORD).await
}

/// A showtime tomorrow in a 2 × 4 auditorium with the given full price (minor units).
pub(crate) async fn showtime(app: &TestApp, price_minor: i64) -> String {
    let film = app.create_film("Web Film", 100, &["drama"], &["fr"]).await;
    let auditorium = app.create_auditorium("Web Room", &[("A", "SSSS"), ("B", "SSSS")]).await;
    let body = json!({
        "film_id": film["id"], "auditorium_id": auditorium["id"], "starts_at": at(1, 3),
        "version": "VOST", "format": "2d",
        "prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": price_minor}]}
    });
    let response = app.staff(Method::POST, "/api/v1/showtimes").json(&body).send().await.expect("create");
    expect_json(response, StatusCode::CREATED).await["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = client().get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("page");
    (response.status(), response.text().await.expect("body"))
}

pub(crate) async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(app.url(path)).header(COOKIE, cookie).form(form).send().await.expect("post")
}

#[tokio::test]
async fn pages_follow_the_visitors_language_and_the_switcher_remembers_it() {
    let app = spawn_app().await;
    let (status, body) = page(&app, "/", &[(ACCEPT_LANGUAGE.as_str(), "fr-FR,fr;q=0.9,en;q=0.5")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"fr\"") && body.contains("À l’affiche"), "{body}");
    let (_, body) = page(&app, "/?lang=en", &[(ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert!(body.contains("<html lang=\"en\"") && body.contains("What’s on"));
    let (_, body) = page(&app, "/", &[(COOKIE.as_str(), "boxoffice_lang=fr")]).await;
    assert!(body.contains("<html lang=\"fr\""));

    let response = client().get(app.url("/lang?set=fr&next=/login")).send().await.expect("switch");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login");
    let cookie = response.headers()[SET_COOKIE].to_str().expect("cookie");
    assert!(cookie.starts_with("boxoffice_lang=fr;"), "{cookie}");
    let response = client().get(app.url("/lang?set=fr&next=//evil.example")).send().await.expect("switch");
    assert_eq!(response.headers()[LOCATION], "/", "never another site");
}

#[tokio::test]
async fn bad_filters_and_unknown_ids_get_clear_pages() {
    let app = spawn_app().await;
    let (status, body) = page(&app, "/?max_duration=abc", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("The duration must be a number of minutes"), "{body}");
    let (status, body) = page(&app, "/?date=2026-02-30", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("The date must look like"));
    for path in ["/films/not-an-id", "/showtimes/01a24977-20b5-7576-873e-56d0fccaf853", "/bookings/nope"] {
        let (status, body) = page(&app, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}: {body}");
    }
    let (status, body) = page(&app, "/no/such/page", &[(ACCEPT.as_str(), "text/html")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    let (status, body) = page(&app, "/no/such/page", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("route_not_found"), "API clients keep problem JSON: {body}");
}

#[tokio::test]
async fn form_posts_need_a_session_and_its_csrf_token() {
    let app = spawn_app().await;
    let show = showtime(&app, 1200).await;
    let response =
        client().post(app.url(&format!("/showtimes/{show}/hold"))).form(&[("seat", "A1")]).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "anonymous: to the sign-in page");
    assert_eq!(response.headers()[LOCATION], format!("/login?next=/showtimes/{show}%3Fseat%3DA1"), "the seat kept");
    let (cookie, csrf) = session(&app, "csrf@example.com").await;
    let response = post_form(&app, &format!("/showtimes/{show}/hold"), &cookie, &[("seat", "A1")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no token");
    let response =
        post_form(&app, &format!("/showtimes/{show}/hold"), &cookie, &[("csrf_token", "forged"), ("seat", "A1")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "a wrong token");
    let response =
        post_form(&app, &format!("/showtimes/{show}/hold"), &cookie, &[("csrf_token", &csrf), ("seat", "A1")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], format!("/showtimes/{show}/checkout"));
}

#[tokio::test]
async fn a_seat_just_taken_a_low_balance_and_an_expired_hold_are_explained() {
    let app = spawn_app().await;
    let show = showtime(&app, 1_000_000).await;
    let (other, _) = app.create_customer("Other", "other@example.com").await;
    let response = app
        .customer(&other, Method::POST, &format!("/api/v1/showtimes/{show}/holds"))
        .json(&json!({"seats": ["A1"]}))
        .send()
        .await
        .expect("hold");
    expect_json(response, StatusCode::CREATED).await;

    let (cookie, csrf) = session(&app, "late@example.com").await;
    let hold_path = format!("/showtimes/{show}/hold");
    let response = post_form(&app, &hold_path, &cookie, &[("csrf_token", &csrf), ("seat", "A1"), ("seat", "A2")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.expect("body");
    assert!(body.contains("someone else just took A1"), "{body}");
    assert!(
        body.contains("id=\"seat-A2\" data-label=\"A2\"") && body.contains("checked"),
        "the other choice stays ticked"
    );
    let response = post_form(&app, &hold_path, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("choose at least one seat"));

    // A ticket of 10,000.00 against a starting credit of 5,000.00.
    let response = post_form(&app, &hold_path, &cookie, &[("csrf_token", &csrf), ("seat", "A2")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, checkout) = page(&app, &format!("/showtimes/{show}/checkout"), &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    let hold_id = checkout
        .split("name=\"hold_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("hold id")
        .to_owned();
    let purchase = format!("/showtimes/{show}/purchase");
    let response =
        post_form(&app, &purchase, &cookie, &[("csrf_token", &csrf), ("hold_id", &hold_id), ("tier_0", "full")]).await;
    assert_eq!(response.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(response.text().await.expect("body").contains("balance is too low"));
    let response =
        post_form(&app, &purchase, &cookie, &[("csrf_token", &csrf), ("hold_id", &hold_id), ("tier_0", "vip")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown tier");

    // Released (or expired): the purchase leads back to the seat map with a notice.
    let response = post_form(
        &app,
        &format!("/showtimes/{show}/release"),
        &cookie,
        &[("csrf_token", &csrf), ("hold_id", &hold_id)],
    )
    .await;
    assert_eq!(response.headers()[LOCATION], format!("/showtimes/{show}?notice=hold-released"));
    let response =
        post_form(&app, &purchase, &cookie, &[("csrf_token", &csrf), ("hold_id", &hold_id), ("tier_0", "full")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
    assert_eq!(location, format!("/showtimes/{show}?notice=hold-expired"));
    let (_, body) = page(&app, &location, &[(COOKIE.as_str(), &cookie)]).await;
    assert!(body.contains("Your hold has expired"), "{body}");
}

#[tokio::test]
async fn sign_in_errors_are_shown_on_the_form() {
    let app = spawn_app().await;
    let response = client()
        .post(app.url("/login"))
        .form(&[("email", "nobody@example.com"), ("password", "wrong password")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = response.text().await.expect("body");
    assert!(body.contains("Wrong email or password") && body.contains("value=\"nobody@example.com\""), "{body}");
    let response = client()
        .post(app.url("/register"))
        .form(&[
            ("email", "not-an-email"),
            ("username", "x"),
            ("first_name", "A"),
            ("last_name", "B"),
            ("password", "short"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("Email address:"));
}

#[tokio::test]
async fn a_french_registration_with_a_short_password_reads_the_reason_in_french() {
    let app = spawn_app().await;
    let response = client()
        .post(app.url("/register"))
        .header(ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9")
        .form(&[
            ("email", "court@example.com"),
            ("username", "court"),
            ("first_name", "Camille"),
            ("last_name", "Court"),
            ("password", "court"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("Mot de passe : doit compter au moins 10 caractères"), "{body}");
    assert!(!body.contains("must be at least"), "no English reason on a French page");
    // The API keeps its English detail and adds the reason's code and parameters.
    let answer = app
        .request(Method::POST, "/api/v1/customers")
        .json(&json!({"email": "court@example.com", "username": "court", "first_name": "C", "last_name": "C", "password": "court"}))
        .send()
        .await
        .expect("register");
    let problem = expect_json(answer, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "password", "{problem}");
    assert_eq!(problem["reason"], "password_too_short", "{problem}");
    assert_eq!(problem["params"]["min"], 10, "{problem}");
    assert!(problem["detail"].as_str().expect("detail").contains("must be at least 10 characters"), "{problem}");
}

#[tokio::test]
async fn two_factor_is_turned_on_from_the_account_page_and_then_asked_at_sign_in() {
    let app = spawn_app().await;
    let (cookie, csrf) = session(&app, "totp-web@example.com").await;
    let response = post_form(&app, "/account/two-factor", &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.expect("body");
    assert!(body.contains("<svg"), "a QR code");
    let secret =
        body.split("name=\"secret\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("secret").to_owned();
    let response = post_form(
        &app,
        "/account/two-factor/confirm",
        &cookie,
        &[("csrf_token", &csrf), ("secret", &secret), ("code", "000000")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong code");
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("time");
    let code = boxoffice_gateway::security::totp::code_at(&secret, now).expect("code");
    let response = post_form(
        &app,
        "/account/two-factor/confirm",
        &cookie,
        &[("csrf_token", &csrf), ("secret", &secret), ("code", &code)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("recovery codes"));

    let email = "totp-web@example.com";
    let response = client()
        .post(app.url("/login"))
        .form(&[("email", email), ("password", CUSTOMER_PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = response.text().await.expect("body");
    assert!(body.contains("two-factor authentication") && body.contains("id=\"totp_code\""), "{body}");
    let next = boxoffice_gateway::security::totp::code_at(&secret, now + 30).expect("code");
    let response = client()
        .post(app.url("/login"))
        .form(&[("email", email), ("password", CUSTOMER_PASSWORD), ("totp_code", &next)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap_or_default());
}

/// A browser session of any account by email and password: `(Cookie header, CSRF token)`.
pub(crate) async fn sign_in(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let response = app
        .request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": email, "password": password, "session": true}))
        .send()
        .await
        .expect("login");
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("boxoffice_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let answer = expect_json(response, StatusCode::OK).await;
    (cookie, answer["csrf_token"].as_str().expect("csrf").to_owned())
}

#[tokio::test]
async fn a_customer_reviews_a_film_once_its_showtime_ended_and_staff_hide_it_after_confirming_and_show_it_again() {
    let app = spawn_app().await;
    let film = app.create_film("Page Review", 90, &["drama"], &["en"]).await;
    let film_id = film["id"].as_str().expect("id").to_owned();
    let room = app.create_auditorium("Review Room", &[("A", "SSSS")]).await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let show = app.create_showtime(&film, &room, &soon).await;
    let (cookie, csrf) = session(&app, "page-review@example.com").await;
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[(COOKIE.as_str(), &cookie)]).await;
    assert!(body.contains("No reviews yet") && !body.contains("Publish my review"), "no booking, no form");

    let response = post_form(
        &app,
        &format!("/showtimes/{}/hold", show["id"].as_str().expect("id")),
        &cookie,
        &[("csrf_token", &csrf), ("seat", "A2")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, checkout) =
        page(&app, &format!("/showtimes/{}/checkout", show["id"].as_str().expect("id")), &[(COOKIE.as_str(), &cookie)])
            .await;
    let hold_id = checkout
        .split("name=\"hold_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("hold id")
        .to_owned();
    let response = post_form(
        &app,
        &format!("/showtimes/{}/purchase", show["id"].as_str().expect("id")),
        &cookie,
        &[("csrf_token", &csrf), ("hold_id", &hold_id), ("tier_0", "full")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "bought");
    app.clock.advance_ms(60_000); // the showtime has started, not ended: no form yet
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[(COOKIE.as_str(), &cookie)]).await;
    assert!(!body.contains("Publish my review"), "{body}");
    app.clock.advance_ms(90 * 60_000); // start + the film's 90 minutes: it has ended

    let (_, body) = page(&app, &format!("/films/{film_id}"), &[(COOKIE.as_str(), &cookie)]).await;
    assert!(body.contains("Publish my review"), "{body}");
    let reviews = format!("/films/{film_id}/reviews");
    let response = post_form(&app, &reviews, &cookie, &[("csrf_token", &csrf), ("rating", "9")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = post_form(
        &app,
        &reviews,
        &cookie,
        &[("csrf_token", &csrf), ("rating", "4"), ("comment", "Moving <b>and</b> long")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[]).await;
    assert!(
        body.contains("Average rating 4.0 out of 5 (1 review)") && body.contains("Moving &lt;b&gt;and&lt;/b&gt; long"),
        "{body}"
    );
    let response = post_form(&app, &reviews, &cookie, &[("csrf_token", &csrf), ("rating", "5")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "once per film");

    // A manager hides it from the film's page.
    let staff = json!({"email": "manager@example.com", "username": "manager", "first_name": "Max", "last_name": "Manager", "role": "manager", "password": CUSTOMER_PASSWORD});
    expect_json(
        app.staff(Method::POST, "/api/v1/staff").json(&staff).send().await.expect("staff"),
        StatusCode::CREATED,
    )
    .await;
    let (staff_cookie, staff_csrf) = sign_in(&app, "manager@example.com", CUSTOMER_PASSWORD).await;
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[(COOKIE.as_str(), &staff_cookie)]).await;
    let review = body.split("href=\"/reviews/").nth(1).and_then(|s| s.split('/').next()).expect("hide link").to_owned();
    let hide = format!("/reviews/{review}/hide");
    let (status, confirm) =
        page(&app, &hide, &[(COOKIE.as_str(), &staff_cookie), (ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert_eq!(status, StatusCode::OK, "hiding asks first");
    assert!(
        confirm.contains("Masquer l’avis de Web T. ?") && confirm.contains(&format!("action=\"{hide}\"")),
        "{confirm}"
    );
    let (status, _) = page(&app, &hide, &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "customers may not hide");
    let response = post_form(&app, &hide, &staff_cookie, &[("csrf_token", &staff_csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], format!("/films/{film_id}#reviews"));
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[]).await;
    assert!(body.contains("No reviews yet"), "hidden");

    // Staff see it under "Hidden reviews" and show it again.
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[(COOKIE.as_str(), &staff_cookie)]).await;
    let unhide = format!("/reviews/{review}/unhide");
    assert!(body.contains("Hidden reviews") && body.contains(&format!("action=\"{unhide}\"")), "{body}");
    let response = post_form(&app, &unhide, &staff_cookie, &[("csrf_token", &staff_csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = page(&app, &format!("/films/{film_id}"), &[]).await;
    assert!(body.contains("Average rating 4.0 out of 5 (1 review)"), "shown again: {body}");
    let audit = expect_json(app.staff(Method::GET, "/api/v1/audit").send().await.expect("audit"), StatusCode::OK).await;
    assert!(audit.to_string().contains("/hide") && audit.to_string().contains("/unhide"), "audited: {audit}");
}

/// A browser session of a new manager: `(Cookie header, CSRF token)`.
pub(crate) async fn manager_session(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{name}@example.com");
    let staff = json!({"email": email, "username": name, "first_name": "Max", "last_name": "Manager", "role": "manager", "password": CUSTOMER_PASSWORD});
    expect_json(
        app.staff(Method::POST, "/api/v1/staff").json(&staff).send().await.expect("staff"),
        StatusCode::CREATED,
    )
    .await;
    sign_in(app, &email, CUSTOMER_PASSWORD).await
}

/// A customer (API token) buys `seat` of `showtime` from the wallet.
pub(crate) async fn buy(app: &TestApp, showtime: &str, seat: &str, email: &str) {
    let (token, _) = app.create_customer("Buyer", email).await;
    let holds = format!("/api/v1/showtimes/{showtime}/holds");
    let hold = expect_json(
        app.customer(&token, Method::POST, &holds).json(&json!({"seats": [seat]})).send().await.expect("hold"),
        StatusCode::CREATED,
    )
    .await;
    let purchase = format!("{holds}/{}/purchase", hold["hold_id"].as_str().expect("hold id"));
    expect_json(app.customer(&token, Method::POST, &purchase).send().await.expect("buy"), StatusCode::CREATED).await;
}

#[tokio::test]
async fn the_console_deletes_a_showtime_after_a_confirmation_that_offers_to_refund_its_bookings() {
    let app = spawn_app().await;
    let show = showtime(&app, 1200).await;
    buy(&app, &show, "A1", "delete-buyer@example.com").await;
    let (cookie, csrf) = manager_session(&app, "deleter").await;
    let (status, week) = page(&app, "/admin/showtimes?week=2000-01-03", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(week.contains("href=\"/admin/prices\""), "the console links the price tiers");
    let details = app.get_json(&format!("/api/v1/showtimes/{show}"), StatusCode::OK).await;
    let room = details["auditorium_id"].as_str().expect("room");
    let week_path = format!("/admin/showtimes?auditorium={room}&week={}", &at(1, 3)[..10]);
    let (_, week) = page(&app, &week_path, &[(COOKIE.as_str(), &cookie)]).await;
    assert!(week.contains(&format!("href=\"/admin/showtimes/{show}/delete\"")), "{week}");

    let delete = format!("/admin/showtimes/{show}/delete");
    let (status, confirm) = page(&app, &delete, &[(COOKIE.as_str(), &cookie), (ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Supprimer Web Film") && confirm.contains(&format!("action=\"{delete}\"")), "{confirm}");
    assert!(!confirm.contains("name=\"cascade\""), "no cascade offered before the API asks for it");

    let response = post_form(&app, &delete, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.expect("body");
    assert!(body.contains("one confirmed booking depends on it") && !body.contains("?cascade=true"), "{body}");
    assert!(body.contains("name=\"cascade\"") && body.contains("Also cancel its bookings and refund them"));
    app.get_json(&format!("/api/v1/showtimes/{show}"), StatusCode::OK).await;

    let response = post_form(&app, &delete, &cookie, &[("csrf_token", &csrf), ("cascade", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()[LOCATION].to_str().expect("location").contains("notice=deleted"));
    app.get_json(&format!("/api/v1/showtimes/{show}"), StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_console_adds_sets_and_removes_a_price_tier_on_every_upcoming_showtime() {
    let app = spawn_app().await;
    let first = showtime(&app, 1200).await;
    let film = app.create_film("Second Film", 90, &["drama"], &["en"]).await;
    let room = app.create_auditorium("Second Room", &[("A", "SSSS")]).await;
    let second = app.create_showtime(&film, &room, &at(2, 3)).await["id"].as_str().expect("id").to_owned();
    let (cookie, csrf) = manager_session(&app, "pricer").await;
    let tiers = |show: &str| {
        let app = &app;
        let path = format!("/api/v1/showtimes/{show}");
        async move {
            let body = app.get_json(&path, StatusCode::OK).await;
            body["prices"]["tiers"]
                .as_array()
                .expect("tiers")
                .iter()
                .map(|t| (t["tier"].as_str().expect("tier").to_owned(), t["price_minor"].as_i64().expect("price")))
                .collect::<Vec<_>>()
        }
    };

    let (status, list) = page(&app, "/admin/prices", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("<code>full</code>") && list.contains("€12.00 – €12.50"), "{list}");

    let response =
        post_form(&app, "/admin/prices", &cookie, &[("csrf_token", &csrf), ("tier", "Étudiant"), ("price", "8")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("A tier name is 1 to 20 lower-case letters"));

    let response =
        post_form(&app, "/admin/prices", &cookie, &[("csrf_token", &csrf), ("tier", "student"), ("price", "8,50")])
            .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
    assert_eq!(location, "/admin/prices?updated=2&skipped=0");
    let (_, list) = page(&app, &location, &[(COOKIE.as_str(), &cookie), (ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert!(list.contains("2 séances modifiées.") && list.contains("Étudiant"), "{list}");
    assert!(tiers(&first).await.contains(&("student".to_owned(), 850)));
    assert!(tiers(&second).await.contains(&("student".to_owned(), 850)));

    let response =
        post_form(&app, "/admin/prices", &cookie, &[("csrf_token", &csrf), ("tier", "student"), ("price", "9")]).await;
    assert_eq!(response.headers()[LOCATION], "/admin/prices?updated=2&skipped=0");
    assert!(tiers(&first).await.contains(&("student".to_owned(), 900)));

    let (status, confirm) = page(&app, "/admin/prices/student/delete", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Remove the tier “Student” from 2 upcoming showtimes?"), "{confirm}");
    let response = post_form(&app, "/admin/prices/student/delete", &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.headers()[LOCATION], "/admin/prices?updated=2&skipped=0");
    assert_eq!(tiers(&first).await, [("full".to_owned(), 1200)]);

    let response = post_form(&app, "/admin/prices/full/delete", &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.headers()[LOCATION], "/admin/prices?updated=1&skipped=1", "the only tier stays");
    assert_eq!(tiers(&first).await, [("full".to_owned(), 1200)]);
    assert_eq!(tiers(&second).await, [("child".to_owned(), 700)]);
    let audit = expect_json(app.staff(Method::GET, "/api/v1/audit").send().await.expect("audit"), StatusCode::OK).await;
    let patches = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "PATCH /api/v1/showtimes/{id}" && e["entity_id"] == first.as_str())
        .count();
    assert_eq!(patches, 3, "each change of the first showtime is audited: {audit}");
}

#[tokio::test]
async fn the_seat_page_says_when_a_showtime_is_sold_out() {
    let app = spawn_app().await;
    let film = app.create_film("Tiny Film", 80, &["drama"], &["en"]).await;
    let room = app.create_auditorium("Tiny Room", &[("A", "SS")]).await;
    let show = app.create_showtime(&film, &room, &at(1, 4)).await["id"].as_str().expect("id").to_owned();
    let path = format!("/showtimes/{show}");
    let (status, body) = page(&app, &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("This showtime is sold out"), "seats left");
    buy(&app, &show, "A1", "sold-one@example.com").await;
    let (_, body) = page(&app, &path, &[]).await;
    assert!(!body.contains("This showtime is sold out"), "one seat left");
    buy(&app, &show, "A2", "sold-two@example.com").await;
    let (status, body) = page(&app, &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("This showtime is sold out"), "{body}");
    let (_, body) = page(&app, &path, &[(ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert!(body.contains("Cette séance est complète."), "{body}");
}

#[tokio::test]
async fn a_signed_in_visitor_can_still_use_the_sign_in_register_and_forgot_forms() {
    let app = spawn_app().await;
    let (_, created) = app.create_customer("Switch", "switch@example.com").await;
    let email = created["account"]["email"].as_str().expect("email").to_owned();
    let (cookie, csrf) = sign_in(&app, &email, CUSTOMER_PASSWORD).await;
    for path in ["/login", "/register", "/account/forgot-password"] {
        let (status, html) = page(&app, path, &[(COOKIE.as_str(), &cookie)]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(&format!("name=\"csrf_token\" value=\"{csrf}\"")), "{path} carries the token: {html}");
    }
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("email", email.as_str()),
        ("password", CUSTOMER_PASSWORD),
        ("next", "/\t/evil.example"),
    ];
    let response = post_form(&app, "/login", &cookie, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in again works");
    let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
    assert!(!location.contains("evil"), "never another host: {location}");
}

#[tokio::test]
async fn a_refused_profile_change_shows_what_was_typed() {
    let app = spawn_app().await;
    let (_, created) = app.create_customer("Typed", "typed@example.com").await;
    let email = created["account"]["email"].as_str().expect("email").to_owned();
    let (cookie, csrf) = sign_in(&app, &email, CUSTOMER_PASSWORD).await;
    let fields = [("csrf_token", csrf.as_str()), ("first_name", ""), ("last_name", "Jonquille"), ("language", "en")];
    let response = post_form(&app, "/account", &cookie, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("value=\"Jonquille\"") && body.contains("First name"), "{body}");
}

#[tokio::test]
async fn a_form_from_a_stale_tab_gets_a_page_saying_so() {
    let app = spawn_app().await;
    let (_, created) = app.create_customer("Stale", "stale@example.com").await;
    let email = created["account"]["email"].as_str().expect("email").to_owned();
    let (cookie, _) = sign_in(&app, &email, CUSTOMER_PASSWORD).await;
    let fields = [("csrf_token", "a-token-of-another-session"), ("first_name", "X"), ("last_name", "Y")];
    let response = post_form(&app, "/account", &format!("{cookie}; boxoffice_lang=fr"), &fields).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let content_type = response.headers()["content-type"].to_str().expect("type").to_owned();
    let body = response.text().await.expect("body");
    assert!(content_type.starts_with("text/html"), "{content_type}: {body}");
    assert!(body.contains("plus à jour"), "in the visitor's language: {body}");
    // The API keeps its problem JSON.
    let response = app
        .request(Method::PATCH, "/api/v1/me/profile")
        .header(COOKIE, &cookie)
        .json(&json!({"first_name": "X"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn showtimes_at_the_same_time_name_their_auditorium() {
    let app = spawn_app().await;
    let film = app.create_film("Twin", 90, &[], &[]).await;
    let when = at(1, 0);
    for room in ["Salle Nord", "Salle Sud"] {
        let room = app.create_auditorium(room, crate::helpers::SMALL).await;
        app.create_showtime(&film, &room, &when).await;
    }
    for path in ["/".to_owned(), format!("/films/{}", film["id"].as_str().expect("id"))] {
        let (status, html) = page(&app, &path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Salle Nord") && html.contains("Salle Sud"), "{path}: {html}");
    }
}

#[tokio::test]
async fn seats_chosen_before_signing_in_are_still_ticked_after() {
    let app = spawn_app().await;
    let film = app.create_film("Ticked", 90, &[], &[]).await;
    let room = app.create_auditorium("Salle T", crate::helpers::SMALL).await;
    let show = app.create_showtime(&film, &room, &at(1, 0)).await;
    let id = show["id"].as_str().expect("id");
    let response = post_form(&app, &format!("/showtimes/{id}/hold"), "", &[("seat", "A1"), ("seat", "A2")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let login = response.headers()[LOCATION].to_str().expect("location").to_owned();
    assert!(login.starts_with("/login?next="), "{login}");
    let next = login
        .trim_start_matches("/login?next=")
        .replace("%2F", "/")
        .replace("%3F", "?")
        .replace("%3D", "=")
        .replace("%26", "&");
    assert_eq!(next, format!("/showtimes/{id}?seat=A1&seat=A2"));
    let (status, html) = page(&app, &next, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let ticked = html.matches(" checked").count();
    assert_eq!(ticked, 2, "A1 and A2 ticked again: {html}");
}
