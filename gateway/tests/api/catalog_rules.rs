//! Rules that keep what was sold intact: a started showtime is neither cancelled nor
//! deleted with its bookings, a running one blocks deletions and duration changes, a layout
//! in use does not change; and the catalog's text, URL and nested-field checks.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SMALL, TestApp, at, expect_json, expect_problem, spawn_app};

const MINUTE_MS: i64 = 60_000;

/// Holds and buys seat `seat` of `showtime` for a new customer; the booking.
async fn book(app: &TestApp, showtime: &Value, email: &str, seat: &str) -> Value {
    let (token, _) = app.create_customer("Booker", email).await;
    let id = showtime["id"].as_str().unwrap();
    let response = app
        .customer(&token, Method::POST, &format!("/api/v1/showtimes/{id}/holds"))
        .json(&json!({"seats": [seat]}))
        .send()
        .await
        .unwrap();
    let hold = expect_json(response, StatusCode::CREATED).await;
    let hold_id = hold["hold_id"].as_str().unwrap();
    let path = format!("/api/v1/showtimes/{id}/holds/{hold_id}/purchase");
    expect_json(app.customer(&token, Method::POST, &path).send().await.unwrap(), StatusCode::CREATED).await
}

/// Minutes from now until `showtime` starts (it starts at a full hour, a day or more ahead).
fn minutes_until(showtime: &Value) -> i64 {
    let starts = chrono::DateTime::parse_from_rfc3339(showtime["starts_at"].as_str().unwrap()).unwrap();
    (starts.timestamp_millis() - chrono::Utc::now().timestamp_millis()) / 60_000 + 1
}

#[tokio::test]
async fn a_started_showtime_keeps_its_bookings_and_a_running_one_blocks_deletions() {
    let app = spawn_app().await;
    let film = app.create_film("Running", 100, &["drama"], &["en"]).await;
    let room = app.create_auditorium("Salle R", SMALL).await;
    let showtime = app.create_showtime(&film, &room, &at(1, 0)).await;
    let booking = book(&app, &showtime, "running@example.com", "A1").await;
    let show_path = format!("/api/v1/showtimes/{}", showtime["id"].as_str().unwrap());
    let film_path = format!("/api/v1/films/{}", film["id"].as_str().unwrap());
    let room_path = format!("/api/v1/auditoriums/{}", room["id"].as_str().unwrap());

    app.clock.advance_ms(minutes_until(&showtime) * MINUTE_MS); // a minute into the film
    let response = app.staff(Method::POST, &format!("{show_path}/cancel")).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "showtime_started").await;
    let response = app.staff(Method::DELETE, &format!("{show_path}?cascade=true")).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "showtime_started").await;
    for path in [format!("{film_path}?cascade=true"), format!("{room_path}?cascade=true")] {
        let response = app.staff(Method::DELETE, &path).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::CONFLICT, "showtime_running").await;
        assert_eq!(problem["showtime_id"], showtime["id"], "{problem}");
    }
    let mut longer = film.clone();
    for field in ["id", "created_at"] {
        longer.as_object_mut().unwrap().remove(field);
    }
    longer["duration_minutes"] = json!(150);
    let response = app.staff(Method::PUT, &film_path).json(&longer).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "showtime_running").await;

    let booking_path = format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap());
    let stored = expect_json(app.staff(Method::GET, &booking_path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["status"], "confirmed", "{stored}");
    assert_eq!(app.get_json(&show_path, StatusCode::OK).await["status"], "scheduled");

    // Once it has ended the film may change (no showtime of it is running or to come).
    app.clock.advance_ms(120 * MINUTE_MS);
    expect_json(app.staff(Method::PUT, &film_path).json(&longer).send().await.unwrap(), StatusCode::OK).await;
}

#[tokio::test]
async fn a_duration_change_waits_until_no_showtime_of_the_film_is_scheduled() {
    let app = spawn_app().await;
    let film = app.create_film("Short", 60, &[], &[]).await;
    let room = app.create_auditorium("Salle D", SMALL).await;
    let showtime = app.create_showtime(&film, &room, &at(3, 0)).await;
    let film_path = format!("/api/v1/films/{}", film["id"].as_str().unwrap());
    let body = json!({"title": "Short", "director": "D", "duration_minutes": 300});
    let response = app.staff(Method::PUT, &film_path).json(&body).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "has_dependents").await;
    assert!(problem["detail"].as_str().unwrap().contains("duration"), "{problem}");
    let renamed = json!({"title": "Short (restored)", "director": "D", "duration_minutes": 60});
    expect_json(app.staff(Method::PUT, &film_path).json(&renamed).send().await.unwrap(), StatusCode::OK).await;

    let show_path = format!("/api/v1/showtimes/{}", showtime["id"].as_str().unwrap());
    expect_json(app.staff(Method::DELETE, &show_path).send().await.unwrap(), StatusCode::OK).await;
    let film = expect_json(app.staff(Method::PUT, &film_path).json(&body).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(film["duration_minutes"], 300);
}

#[tokio::test]
async fn a_layout_in_use_does_not_change() {
    let app = spawn_app().await;
    let film = app.create_film("Layout", 90, &[], &[]).await;
    let room = app.create_auditorium("Salle L", SMALL).await;
    let room_path = format!("/api/v1/auditoriums/{}", room["id"].as_str().unwrap());
    let smaller = json!({"name": "Salle L", "layout": {"rows": [{"label": "A", "seats": "SS"}]}});

    // An unsold future showtime: deleting it frees the layout.
    let unsold = app.create_showtime(&film, &room, &at(2, 0)).await;
    let response = app.staff(Method::PUT, &room_path).json(&smaller).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::CONFLICT, "layout_in_use").await;
    assert_eq!(problem["showtime_id"], unsold["id"]);
    let unsold_path = format!("/api/v1/showtimes/{}", unsold["id"].as_str().unwrap());
    expect_json(app.staff(Method::DELETE, &unsold_path).send().await.unwrap(), StatusCode::OK).await;
    expect_json(app.staff(Method::PUT, &room_path).json(&smaller).send().await.unwrap(), StatusCode::OK).await;

    // A showtime sold on it, even once it is over, keeps the layout: its seat map is rebuilt
    // from it after every restart.
    let sold = app.create_showtime(&film, &room, &at(1, 0)).await;
    book(&app, &sold, "layout@example.com", "A2").await;
    app.clock.advance_ms((minutes_until(&sold) + 200) * MINUTE_MS);
    let response = app
        .staff(Method::PUT, &room_path)
        .json(&json!({"name": "Salle L", "layout": {"rows": [{"label": "A", "seats": "S"}]}}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::CONFLICT, "layout_in_use").await;
    let renamed =
        json!({"name": "Salle L2", "layout": {"rows": [{"label": "A", "seats": "SS"}]}, "equipment": ["imax"]});
    expect_json(app.staff(Method::PUT, &room_path).json(&renamed).send().await.unwrap(), StatusCode::OK).await;
    let seats =
        app.get_json(&format!("/api/v1/showtimes/{}/seats", sold["id"].as_str().unwrap()), StatusCode::OK).await;
    assert_eq!(seats["counts"]["sold"], 1, "{seats}");
}

#[tokio::test]
async fn catalog_text_urls_and_nested_fields_are_checked() {
    let app = spawn_app().await;
    let post_film = |body: Value| app.staff(Method::POST, "/api/v1/films").json(&body).send();
    let film = |extra: Value| {
        let mut body = json!({"title": "Checked", "director": "D", "duration_minutes": 90});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field, reason) in [
        (json!({"title": "Nul\u{0}byte\u{7}"}), "title", "control_character"),
        (json!({"director": "D\n"}), "director", "control_character"),
        (json!({"title": "\u{200b}"}), "title", "length"),
        (json!({"title": "   "}), "title", "length"),
        (json!({"poster_url": "http://"}), "poster_url", "url"),
        (json!({"poster_url": "//evil.example/x.png"}), "poster_url", "url"),
        (json!({"poster_url": "/\\evil.example"}), "poster_url", "url"),
        (json!({"trailer_url": "https://ex ample.com/t"}), "trailer_url", "url"),
        (json!({"release_date": "0000-01-01"}), "release_date", "range"),
        (json!({"release_date": "+10000-01-01"}), "release_date", "range"),
    ] {
        let response = post_film(film(extra.clone())).await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!((problem["field"].as_str(), problem["reason"].as_str()), (Some(field), Some(reason)), "{extra}");
    }
    let multiline =
        json!({"title": "  Padded  ", "synopsis": "Line one.\nLine two.", "poster_url": "https://cdn.example/p.jpg"});
    let created = expect_json(post_film(film(multiline)).await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(
        (created["title"].as_str(), created["synopsis"].as_str()),
        (Some("Padded"), Some("Line one.\nLine two."))
    );

    let room = app.create_auditorium("Salle N", SMALL).await;
    let bad_layout = json!({"name": "N", "layout": {"rows": [{"label": "A", "seats": "SS", "seat": "PP"}]}});
    let unknown = "/api/v1/showtimes/00000000-0000-7000-8000-000000000000";
    expect_problem(
        app.staff(Method::PATCH, unknown).json(&json!({})).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let response = app.staff(Method::POST, "/api/v1/auditoriums").json(&bad_layout).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(problem["detail"].as_str().unwrap().contains("unknown field"), "{problem}");
    let showtime = |prices: Value, seating: Value| {
        json!({"film_id": created["id"], "auditorium_id": room["id"], "starts_at": at(1, 0), "version": "VF", "format": "2d",
               "prices": prices, "seating": seating})
    };
    let good_prices = json!({"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1200}]});
    for body in [
        showtime(
            json!({"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1, "x": 1}]}),
            json!({"kind": "reserved"}),
        ),
        showtime(
            json!({"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1}], "extra": 1}),
            json!({"kind": "reserved"}),
        ),
        showtime(good_prices.clone(), json!({"kind": "reserved", "capacity": 5})),
        showtime(good_prices.clone(), json!({"kind": "general_admission", "capacity": 10, "price": 3})),
    ] {
        let response = app.staff(Method::POST, "/api/v1/showtimes").json(&body).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        assert!(problem["detail"].as_str().unwrap().contains("unknown field"), "{problem}");
    }
    let fine = showtime(good_prices, json!({"kind": "reserved"}));
    expect_json(app.staff(Method::POST, "/api/v1/showtimes").json(&fine).send().await.unwrap(), StatusCode::CREATED)
        .await;
    let twice =
        json!({"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1}, {"tier": "full", "price_minor": 2}]});
    let starts = at(2, 0);
    let response = app
        .staff(Method::POST, "/api/v1/showtimes")
        .json(&{
            let mut body = showtime(twice, json!({"kind": "reserved"}));
            body["starts_at"] = json!(starts);
            body
        })
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["reason"], "tier_repeated", "{problem}");
}

#[tokio::test]
async fn a_showtime_is_never_created_for_a_film_or_room_being_deleted_or_changed() {
    let app = spawn_app().await;
    for round in 0..6 {
        let film = app.create_film(&format!("Race {round}"), 90, &[], &[]).await;
        let room = app.create_auditorium(&format!("Salle race {round}"), SMALL).await;
        let film_path = format!("/api/v1/films/{}", film["id"].as_str().unwrap());
        let room_path = format!("/api/v1/auditoriums/{}", room["id"].as_str().unwrap());
        let body = crate::helpers::showtime_body(&film, &room, &at(1, round));
        let longer = json!({"title": format!("Race {round}"), "director": "D", "duration_minutes": 300});
        let (deleted, created, changed) = tokio::join!(
            app.staff(Method::DELETE, if round % 2 == 0 { &film_path } else { &room_path }).send(),
            app.staff(Method::POST, "/api/v1/showtimes").json(&body).send(),
            app.staff(Method::PUT, &film_path).json(&longer).send(),
        );
        let (deleted, created, changed) =
            (deleted.unwrap().status(), created.unwrap().status(), changed.unwrap().status());
        assert!(
            !(deleted.is_success() && created.is_success()),
            "round {round}: both the delete and the showtime went through"
        );
        if created.is_success() && changed.is_success() {
            // The duration changed before the showtime was created: its end follows it.
            let listed = app
                .get_json(&format!("/api/v1/showtimes?film_id={}", film["id"].as_str().unwrap()), StatusCode::OK)
                .await;
            let show = &listed["items"][0];
            let starts = chrono::DateTime::parse_from_rfc3339(show["starts_at"].as_str().unwrap()).unwrap();
            let ends = chrono::DateTime::parse_from_rfc3339(show["ends_at"].as_str().unwrap()).unwrap();
            assert_eq!((ends - starts).num_minutes(), 315, "round {round}: {show}");
        }
    }
}
