//! A customer's account pages over plain HTTP: the password reset from the emailed link,
//! the data export and the account deletion.

use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::accounts::link_in;
use crate::helpers::{CUSTOMER_PASSWORD, TestApp, expect_json, spawn_app};
use crate::web_pages::{buy, client, page, post_form, session, showtime, sign_in};

/// The first email in the outbox with a link to `path`, waiting up to 5 s for it.
async fn mail_with(app: &TestApp, path: &str) -> String {
    for _ in 0..50 {
        if let Some(mail) = app.outbox(0).await.into_iter().find(|m| m.contains(path)) {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no email with {path}");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_emailed_link() {
    let app = spawn_app().await;
    let (_, body) = app.create_customer("Reset", "reset-web@example.com").await;
    let email = body["account"]["email"].as_str().expect("email").to_owned();
    let response = client()
        .post(app.url("/account/forgot-password"))
        .header("accept-language", "fr")
        .form(&[("email", email.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("un lien est en route"), "told in French");

    let reset = mail_with(&app, "/account/reset-password").await;
    let link = link_in(&reset, "/account/reset-password");
    let (status, form) = page(&app, &link, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let token = link.split_once("token=").expect("token").1;
    let (token, lang) = token.split_once("&lang=").expect("the link names the account's language");
    assert_eq!(lang, "en", "the language of the account, as the email: {link}");
    assert!(form.contains(&format!("name=\"token\" value=\"{token}\"")), "{form}");

    let weak = client()
        .post(app.url("/account/reset-password"))
        .form(&[("token", token), ("new_password", "short")])
        .send()
        .await
        .expect("post");
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.expect("body").contains("must be at least 10 characters"), "the reason, in English");
    let new_password = "a brand new passphrase 42";
    let response = client()
        .post(app.url("/account/reset-password"))
        .form(&[("token", token), ("new_password", new_password)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("Your password is changed"));
    sign_in(&app, &email, new_password).await;
    let old = app
        .request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": email, "password": CUSTOMER_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "the old password no longer works");

    let again = client()
        .post(app.url("/account/reset-password"))
        .form(&[("token", token), ("new_password", "yet another passphrase 7")])
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), StatusCode::GONE, "a link works once");
    assert!(again.text().await.expect("body").contains("already used"));
}

#[tokio::test]
async fn a_customer_downloads_their_data_from_the_account_page() {
    let app = spawn_app().await;
    let show = showtime(&app, 900).await;
    let (cookie, _) = session(&app, "export-web@example.com").await;
    let (_, profile) = page(&app, "/account", &[(COOKIE.as_str(), &cookie)]).await;
    assert!(profile.contains("href=\"/account/export\""), "the profile links the export");
    buy(&app, &show, "B2", "export-other@example.com").await;

    let response = client().get(app.url("/account/export")).header(COOKIE, &cookie).send().await.expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers[CONTENT_TYPE].to_str().expect("type").starts_with("application/json"));
    assert!(
        headers[CONTENT_DISPOSITION]
            .to_str()
            .expect("disposition")
            .starts_with("attachment; filename=\"boxoffice-export-")
    );
    assert!(headers[CACHE_CONTROL].to_str().expect("cache").contains("no-store"), "personal data is not cached");
    let export: serde_json::Value = response.json().await.expect("json");
    assert_eq!(export["account"]["email"], "export-web@example.com", "{export}");
    assert!(export["sessions"].as_array().is_some_and(|s| !s.is_empty()) && export["ledger"].is_array(), "{export}");
    assert!(!export.to_string().contains("export-other"), "only this customer's data");

    let response = client().get(app.url("/account/export")).send().await.expect("export");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed out: to sign-in");
    assert!(response.headers()[LOCATION].to_str().expect("location").starts_with("/login"));
}

#[tokio::test]
async fn a_customer_deletes_their_account_after_confirming_with_the_password() {
    let app = spawn_app().await;
    let (cookie, csrf) = session(&app, "delete-web@example.com").await;
    let (status, form) = page(&app, "/account/delete", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"confirm\"") && form.contains("This cannot be undone"), "{form}");

    let response =
        post_form(&app, "/account/delete", &cookie, &[("csrf_token", &csrf), ("password", CUSTOMER_PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "the box must be ticked");
    assert!(response.text().await.expect("body").contains("please tick the box"));
    let response = post_form(
        &app,
        "/account/delete",
        &cookie,
        &[("csrf_token", &csrf), ("password", "not my password"), ("confirm", "on")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("is not your current password"));
    let response =
        post_form(&app, "/account/delete", &cookie, &[("password", CUSTOMER_PASSWORD), ("confirm", "on")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "CSRF token needed");

    let response = post_form(
        &app,
        "/account/delete",
        &cookie,
        &[("csrf_token", &csrf), ("password", CUSTOMER_PASSWORD), ("confirm", "on")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/?notice=deleted");
    let cleared =
        response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.starts_with("boxoffice_session=") && (v.contains("Max-Age=0") || v.contains("boxoffice_session=;"))
        });
    assert!(cleared, "the session cookie is cleared: {:?}", response.headers());
    let (_, home) = page(&app, "/?notice=deleted", &[]).await;
    assert!(home.contains("Your account is deleted"), "{home}");
    let (status, _) = page(&app, "/account", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the old session is gone");
    let login = app
        .request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": "delete-web@example.com", "password": CUSTOMER_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED, "no account any more");
    expect_json(app.staff(Method::GET, "/api/v1/audit").send().await.expect("audit"), StatusCode::OK).await;
}
