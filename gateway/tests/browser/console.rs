//! The staff console in a real browser: an administrator signs in, creates a film, an
//! auditorium with the layout editor (previewing first) and a showtime (meeting an overlap
//! on the way), sells two seats at the box office and prints the ticket; axe-core checks
//! every console page, a staff member's page, and a film's page with reviews as staff
//! (visible and hidden) and the hide confirmation.

use chrono::{Datelike, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::driver::{Driver, axe_violations, click, fill, find, main_text, wait_for_path, wait_for_text};
use crate::helpers::{CUSTOMER_PASSWORD, expect_json, spawn_app};

#[tokio::test]
async fn an_admin_creates_a_film_an_auditorium_and_a_showtime_then_sells_at_the_box_office() {
    let app = spawn_app().await;
    let admin = json!({"email": "root@example.com", "username": "root", "first_name": "Ada", "last_name": "Admin",
        "role": "admin", "password": CUSTOMER_PASSWORD});
    let root = expect_json(
        app.staff(Method::POST, "/api/v1/staff").json(&admin).send().await.expect("staff"),
        StatusCode::CREATED,
    )
    .await;
    let root_id = root["id"].as_str().or_else(|| root["account"]["id"].as_str()).expect("id").to_owned();
    let driver = Driver::start().await;
    let browser = driver.browser(1280, 900).await;
    let mut failures = Vec::new();

    browser.goto(&app.url("/admin")).await.expect("open");
    wait_for_path(&browser, "/login").await;
    fill(&browser, "#email", "root@example.com").await;
    fill(&browser, "#password", CUSTOMER_PASSWORD).await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/admin").await;
    wait_for_text(&browser, "Today’s showtimes").await;

    // A film.
    browser.goto(&app.url("/admin/films/new")).await.expect("open");
    failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("film form: {v}")));
    fill(&browser, "#title", "Console Premiere").await;
    fill(&browser, "#director", "Agnès Varda").await;
    fill(&browser, "#cast", "Corinne Marchand, Antoine Bourseiller").await;
    fill(&browser, "#duration_minutes", "90").await;
    fill(&browser, "#genres", "drama").await;
    fill(&browser, "#spoken_languages", "fr").await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/admin/films?").await;
    wait_for_text(&browser, "Console Premiere").await;
    failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("films: {v}")));

    // An auditorium: two rows, previewed, then saved.
    browser.goto(&app.url("/admin/auditoriums/new")).await.expect("open");
    fill(&browser, "#name", "Salle Console").await;
    fill(&browser, "input[name=row_label_0]", "A").await;
    fill(&browser, "input[name=row_seats_0]", "SS|SS").await;
    fill(&browser, "input[name=row_label_1]", "B").await;
    fill(&browser, "input[name=row_seats_1]", "WC_LL").await;
    click(&browser, "#equipment_3d").await;
    click(&browser, "button[value=preview]").await;
    find(&browser, ".seatmap-wrap").await;
    wait_for_text(&browser, "8 seats.").await;
    failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("layout editor: {v}")));
    click(&browser, "button[value=save]").await;
    wait_for_path(&browser, "/admin/auditoriums?").await;
    wait_for_text(&browser, "Salle Console").await;

    // A showtime tomorrow at 20:30 (local time); the same slot again overlaps.
    let tomorrow = (Utc::now() + Duration::days(1)).with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let date = format!("{:04}-{:02}-{:02}", tomorrow.year(), tomorrow.month(), tomorrow.day());
    for attempt in 0..2 {
        browser.goto(&app.url("/admin/showtimes/new")).await.expect("open");
        if attempt == 0 {
            failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("showtime form: {v}")));
        }
        find(&browser, "#film_id").await.select_by_label("Console Premiere").await.expect("film");
        find(&browser, "#auditorium_id").await.select_by_label("Salle Console (8)").await.expect("room");
        browser
            .execute(
                &format!(
                    "document.getElementById('date').value = '{date}'; document.getElementById('time').value = '20:30';"
                ),
                vec![],
            )
            .await
            .expect("date");
        click(&browser, "main form button[type=submit]").await;
        if attempt == 0 {
            wait_for_path(&browser, "/admin/showtimes?").await;
            let text = wait_for_text(&browser, "Console Premiere").await;
            assert!(text.contains("20:30") && text.contains("Console Premiere"), "{text}");
            failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("week: {v}")));
        } else {
            wait_for_text(&browser, "This auditorium is already taken from").await;
        }
    }

    // Reschedule it to 21:00 and change the full price.
    browser.goto(&app.url(&format!("/admin/showtimes?week={date}"))).await.expect("open");
    click(&browser, ".slot a[href^='/admin/showtimes/']:not([href$='/cancel'])").await;
    wait_for_path(&browser, "/admin/showtimes/").await;
    browser.execute("document.getElementById('time').value = '21:00';", vec![]).await.expect("time");
    fill(&browser, "input[name=price_0]", "13,00").await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/admin/showtimes?").await;
    let text = wait_for_text(&browser, "21:00").await;
    assert!(text.contains("21:00") && !text.contains("20:30"), "rescheduled: {text}");

    // The box office sells B3 and B4 (the loveseat) for cash; the ticket prints.
    browser.goto(&app.url("/admin/box-office")).await.expect("open");
    click(&browser, "main a[href^='/admin/box-office/']").await;
    wait_for_path(&browser, "/admin/box-office/").await;
    failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("box office: {v}")));
    click(&browser, "#seat-B3").await;
    click(&browser, "#seat-B4").await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/bookings/").await;
    let text = wait_for_text(&browser, "€26.00").await;
    assert!(text.contains("B3") && text.contains("B4") && text.contains("€26.00"), "{text}");

    for path in ["/admin", "/admin/customers", "/admin/staff", "/admin/audit", "/admin/prices", "/admin/auditoriums"] {
        browser.goto(&app.url(path)).await.expect("open");
        failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("{path}: {v}")));
    }
    wait_for_text(&browser, "Salle Console").await;
    browser.goto(&app.url("/admin/audit")).await.expect("open");
    assert!(main_text(&browser).await.contains("/box-office/sales"), "the sale is audited");

    // A staff member's page, and the moderation of reviews (a review of an ended showtime,
    // one visible and one hidden): the film's page as staff and the hide confirmation.
    let (film, review) = reviewed_film(&app).await;
    for path in [
        format!("/admin/staff/{root_id}"),
        format!("/admin/staff/{root_id}?lang=fr"),
        format!("/films/{film}"),
        format!("/films/{film}?lang=fr"),
        format!("/reviews/{review}/hide"),
    ] {
        browser.goto(&app.url(&path)).await.expect("open");
        failures.extend(axe_violations(&browser).await.into_iter().map(|v| format!("{path}: {v}")));
    }
    browser.close().await.expect("close");
    assert!(failures.is_empty(), "axe-core found serious or critical violations:\n{}", failures.join("\n"));
}

/// A film with two reviews of an ended showtime, the second hidden: `(film id, visible review id)`.
async fn reviewed_film(app: &crate::helpers::TestApp) -> (String, String) {
    let film = app.create_film("Reviewed In Browser", 90, &["drama"], &["en"]).await;
    let room = app.create_auditorium("Review Room", &[("A", "SSSS")]).await;
    let soon = (Utc::now() + Duration::seconds(3)).to_rfc3339();
    let show = app.create_showtime(&film, &room, &soon).await;
    let film_id = film["id"].as_str().expect("id").to_owned();
    let holds = format!("/api/v1/showtimes/{}/holds", show["id"].as_str().expect("id"));
    let mut reviews = Vec::new();
    for (n, seat) in ["A1", "A2"].into_iter().enumerate() {
        let (token, _) = app.create_customer("Critic", &format!("critic{n}@example.com")).await;
        let hold = expect_json(
            app.customer(&token, Method::POST, &holds).json(&json!({"seats": [seat]})).send().await.expect("hold"),
            StatusCode::CREATED,
        )
        .await;
        let purchase = format!("{holds}/{}/purchase", hold["hold_id"].as_str().expect("hold id"));
        expect_json(app.customer(&token, Method::POST, &purchase).send().await.expect("buy"), StatusCode::CREATED)
            .await;
        reviews.push(token);
    }
    app.clock.advance_ms(2 * 60 * 60_000); // the showtime has ended
    let mut ids = Vec::new();
    for (token, comment) in reviews.iter().zip(["Superb.", "Too long."]) {
        let review = expect_json(
            app.customer(token, Method::POST, &format!("/api/v1/films/{film_id}/reviews"))
                .json(&json!({"rating": 4, "comment": comment}))
                .send()
                .await
                .expect("review"),
            StatusCode::CREATED,
        )
        .await;
        ids.push(review["id"].as_str().expect("id").to_owned());
    }
    let hide = format!("/api/v1/reviews/{}/hide", ids[1]);
    assert_eq!(app.staff(Method::POST, &hide).send().await.expect("hide").status(), StatusCode::NO_CONTENT);
    (film_id, ids[0].clone())
}
