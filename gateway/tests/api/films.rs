//! Films: CRUD, filters and pagination.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn film_crud_happy_path() {
    let app = spawn_app().await;
    let body = json!({
        "title": "Orbital Drift", "original_title": "Orbital Drift", "director": "Kenji Aldana",
        "cast": ["Sofia Brandt"], "duration_minutes": 142, "genres": ["Science-Fiction"],
        "age_rating": "PG-13", "synopsis": "Space.", "poster_url": "/static/posters/orbital.svg",
        "spoken_languages": ["EN"], "subtitle_languages": ["fr"], "release_date": "2025-11-05"
    });
    let response = app.staff(Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let film = expect_json(response, StatusCode::CREATED).await;
    let id = film["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/films/{id}"));
    assert_eq!(film["genres"], json!(["science-fiction"]), "normalised to lower case");
    assert_eq!(film["spoken_languages"], json!(["en"]));
    assert_eq!(film["release_date"], "2025-11-05");

    let fetched = app.get_json(&location, StatusCode::OK).await;
    assert_eq!(fetched, film);

    let mut changed = body.clone();
    changed["title"] = json!("Orbital Drift: Director's Cut");
    changed["duration_minutes"] = json!(165);
    let response = app.staff(Method::PUT, &location).json(&changed).send().await.unwrap();
    let updated = expect_json(response, StatusCode::OK).await;
    assert_eq!(updated["title"], "Orbital Drift: Director's Cut");
    assert_eq!(updated["created_at"], film["created_at"]);
    assert_eq!(app.get_json(&location, StatusCode::OK).await["duration_minutes"], 165);

    let response = app.staff(Method::DELETE, &location).send().await.unwrap();
    let report = expect_json(response, StatusCode::OK).await;
    assert_eq!(report["showtimes_cancelled"], 0);
    let response = app.request(Method::GET, &location).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(problem["entity"], "film");
    let response = app.staff(Method::PUT, &location).json(&body).send().await.unwrap();
    expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn film_validation_names_the_field() {
    let app = spawn_app().await;
    let body = json!({"title": "X", "director": "Y", "duration_minutes": 0});
    let response = app.staff(Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["field"], "duration_minutes");
    let body = json!({"title": "X", "director": "Y", "duration_minutes": 90, "poster_url": "javascript:alert(1)"});
    let response = app.staff(Method::POST, "/api/v1/films").json(&body).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["field"], "poster_url");
}

#[tokio::test]
async fn films_filter_and_paginate() {
    let app = spawn_app().await;
    app.create_film("Alpha Comedy", 95, &["comedy"], &["en"]).await;
    app.create_film("Bravo Drama", 130, &["drama"], &["fr"]).await;
    app.create_film("Charlie Drama", 100, &["drama", "romance"], &["en"]).await;

    let all = app.get_json("/api/v1/films", StatusCode::OK).await;
    assert_eq!(all["total"], 3);
    let titles: Vec<_> = all["items"].as_array().unwrap().iter().map(|f| f["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Alpha Comedy", "Bravo Drama", "Charlie Drama"], "ordered by title");

    assert_eq!(app.get_json("/api/v1/films?genre=drama", StatusCode::OK).await["total"], 2);
    assert_eq!(app.get_json("/api/v1/films?genre=Drama&language=en", StatusCode::OK).await["total"], 1);
    assert_eq!(app.get_json("/api/v1/films?max_duration=100", StatusCode::OK).await["total"], 2);
    let found = app.get_json("/api/v1/films?q=bravo", StatusCode::OK).await;
    assert_eq!(found["items"][0]["title"], "Bravo Drama");
    let found = app.get_json("/api/v1/films?q=actor%20one", StatusCode::OK).await;
    assert_eq!(found["total"], 3, "text search covers the cast");

    let page = app.get_json("/api/v1/films?offset=1&limit=1", StatusCode::OK).await;
    assert_eq!((page["total"].as_u64(), page["offset"].as_u64(), page["limit"].as_u64()), (Some(3), Some(1), Some(1)));
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["title"], "Bravo Drama");

    for query in ["limit=0", "limit=201"] {
        let response = app.request(Method::GET, &format!("/api/v1/films?{query}")).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["field"], "limit");
    }
    let response = app.request(Method::GET, "/api/v1/films?language=english").send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "language"
    );
    let response = app.request(Method::GET, "/api/v1/films?limit=abc").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
    assert!(problem["detail"].as_str().unwrap().contains("limit"), "{problem}");
    let response = app.request(Method::GET, "/api/v1/films?colour=red").send().await.unwrap();
    let problem = expect_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
    assert!(problem["detail"].as_str().unwrap().contains("colour"), "{problem}");
}
