//! HTTPS with rustls: a self-signed certificate made here (rcgen), the server on TLS, HSTS,
//! `Secure` cookies, and the plain-HTTP redirect.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{CUSTOMER_PASSWORD, expect_json, spawn_app_with};

#[tokio::test]
async fn serves_https_with_hsts_secure_cookies_and_redirects_http() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let redirect_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(|s| {
        s.tls.cert_file = Some(cert.clone());
        s.tls.key_file = Some(key.clone());
        s.tls.redirect_http_bind = Some(format!("127.0.0.1:{redirect_port}"));
    })
    .await;
    let https = app.address.replace("http://", "https://");
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let health = client.get(format!("{https}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
    assert!(app.client.get(format!("{}/healthz", app.address)).send().await.is_err(), "no plain HTTP on the TLS port");

    let registration = json!({"email": "ada@example.com", "username": "ada", "first_name": "Ada", "last_name": "L", "password": CUSTOMER_PASSWORD});
    expect_json(
        client.post(format!("{https}/api/v1/customers")).json(&registration).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let login = json!({"email": "ada@example.com", "password": CUSTOMER_PASSWORD, "session": true});
    let response =
        client.request(Method::POST, format!("{https}/api/v1/auth/login")).json(&login).send().await.unwrap();
    let cookies: Vec<String> =
        response.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");
    assert_eq!(response.status(), StatusCode::OK);
    let mails = app.outbox(1).await;
    assert!(mails[0].contains("https://127.0.0.1:"), "links use https: {}", mails[0]);

    let redirected = client.get(format!("http://127.0.0.1:{redirect_port}/api/v1/films?x=1")).send().await.unwrap();
    assert_eq!(redirected.status(), StatusCode::PERMANENT_REDIRECT);
    let port = app.address.rsplit(':').next().unwrap();
    assert_eq!(redirected.headers()["location"], format!("https://127.0.0.1:{port}/api/v1/films?x=1"));
}
