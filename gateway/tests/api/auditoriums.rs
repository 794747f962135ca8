//! Auditoriums: CRUD, capacity, layout validation.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn auditorium_crud_with_capacity() {
    let app = spawn_app().await;
    let auditorium = app.create_auditorium("Salle 1", &[("A", "WC|SS_SS|LL"), ("B", "PPPP")]).await;
    assert_eq!(auditorium["capacity"], 12);
    assert_eq!(auditorium["layout"]["rows"][0]["seats"], "WC|SS_SS|LL");
    let path = format!("/api/v1/auditoriums/{}", auditorium["id"].as_str().unwrap());
    assert_eq!(app.get_json(&path, StatusCode::OK).await, auditorium);

    let list = app.get_json("/api/v1/auditoriums", StatusCode::OK).await;
    assert_eq!(list["total"], 1);

    let body = json!({"name": "Salle Un", "layout": {"rows": [{"label": "A", "seats": "SSS"}]}, "equipment": ["IMAX"]});
    let updated = expect_json(app.staff(Method::PUT, &path).json(&body).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((updated["name"].as_str(), updated["capacity"].as_u64()), (Some("Salle Un"), Some(3)));
    assert_eq!(updated["equipment"], json!(["imax"]));

    expect_json(app.staff(Method::DELETE, &path).send().await.unwrap(), StatusCode::OK).await;
    expect_problem(app.request(Method::GET, &path).send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn bad_layouts_name_the_row_and_position() {
    let app = spawn_app().await;
    let cases = [
        (json!([{"label": "A", "seats": "SSXS"}]), "row A"),
        (json!([{"label": "B", "seats": "SLS"}]), "row B"),
        (json!([{"label": "A", "seats": "S"}, {"label": "A", "seats": "S"}]), "\"A\""),
        (json!([]), "no seats"),
    ];
    for (rows, expected) in cases {
        let body = json!({"name": "Bad", "layout": {"rows": rows}});
        let response = app.staff(Method::POST, "/api/v1/auditoriums").json(&body).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["field"], "layout");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{detail} should mention {expected}");
    }
    let body = json!({"name": "Bad", "layout": {"rows": [{"label": "A", "seats": "SSXS"}]}});
    let response = app.staff(Method::POST, "/api/v1/auditoriums").json(&body).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("position 3"), "{problem}");
}
