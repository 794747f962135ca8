//! Operations: health, readiness, metrics, OpenAPI, the docs page, request ids, shutdown.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let response = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.text().await.unwrap(), "ok");
    let response = app.request(Method::GET, "/readyz").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(app.dir.path().join("boxoffice.db").is_file(), "a fresh SQLite file in the data dir");
}

#[tokio::test]
async fn metrics_use_route_templates() {
    let app = spawn_app().await;
    app.request(Method::GET, "/api/v1/films/01a200a0-0000-7000-8000-000000000000").send().await.unwrap();
    app.request(Method::GET, "/api/v1/films").send().await.unwrap();
    let text = app.request(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(text.contains("boxoffice_http_requests_total"), "{text}");
    assert!(text.contains("boxoffice_http_request_seconds"), "{text}");
    assert!(text.contains(r#"route="/api/v1/films/{id}""#), "{text}");
    assert!(!text.contains("01a200a0-0000-7000-8000-000000000000"), "raw paths never become labels");
    for counter in ["boxoffice_overloaded_total", "boxoffice_storage_commit_errors_total"] {
        assert!(text.lines().any(|l| l.starts_with(counter)), "{counter} is there before it moves: {text}");
    }

    // Histograms of counts have count buckets (a hold makes a group commit).
    let film = app.create_film("Metrics", 90, &[], &[]).await;
    let room = app.create_auditorium("Salle M", crate::helpers::SMALL).await;
    let show = app.create_showtime(&film, &room, &crate::helpers::at(1, 0)).await;
    let (token, _) = app.create_customer("Metric", "metric@example.com").await;
    let path = format!("/api/v1/showtimes/{}/holds", show["id"].as_str().unwrap());
    let response =
        app.customer(&token, Method::POST, &path).json(&serde_json::json!({"seats": ["A1"]})).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = app.request(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"boxoffice_group_commit_entries_bucket{le="1024"}"#), "{text}");
}

#[tokio::test]
async fn openapi_document_and_docs_page() {
    let app = spawn_app().await;
    let doc: serde_json::Value =
        app.request(Method::GET, "/api/openapi.json").send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/films",
        "/api/v1/films/{id}",
        "/api/v1/auditoriums",
        "/api/v1/showtimes/{id}/cancel",
        "/api/v1/customers",
        "/api/v1/me/wallet",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Film"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let response = app.request(Method::GET, "/api/docs").send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<code>/api/v1/showtimes</code>") && html.contains("id=\"problem-has_dependents\""));
    assert!(!html.contains("<script") && !html.contains("https://cdn"), "self-contained");
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let mut app = spawn_app().await;
    app.request(Method::GET, "/healthz").send().await.unwrap();
    app.shutdown().await;
    assert!(reqwest::Client::new().get(app.url("/healthz")).send().await.is_err(), "listener closed");
}
