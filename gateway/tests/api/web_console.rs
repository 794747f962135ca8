//! The staff console over plain HTTP: staff accounts (role, deactivation, reactivation),
//! reviews (hide with a confirmation, show again), wallet top-ups and catalog deletions
//! behind their confirmation (which the showtime listings show at once).

use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{CUSTOMER_PASSWORD, TestApp, expect_json, spawn_app};
use crate::web_pages::{page, post_form, sign_in};

/// A staff member with `role` and their browser session: `(account id, Cookie, CSRF token)`.
pub(crate) async fn staff_session(app: &TestApp, name: &str, role: &str) -> (String, String, String) {
    let email = format!("{name}@example.com");
    let staff = json!({"email": email, "username": name, "first_name": "Sam", "last_name": name, "role": role, "password": CUSTOMER_PASSWORD});
    let created = expect_json(
        app.staff(Method::POST, "/api/v1/staff").json(&staff).send().await.expect("staff"),
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().or_else(|| created["account"]["id"].as_str()).expect("id").to_owned();
    let (cookie, csrf) = sign_in(app, &email, CUSTOMER_PASSWORD).await;
    (id, cookie, csrf)
}

async fn staff_member(app: &TestApp, id: &str) -> serde_json::Value {
    let list =
        expect_json(app.staff(Method::GET, "/api/v1/staff?limit=200").send().await.expect("staff"), StatusCode::OK)
            .await;
    let items = list["items"].as_array().or_else(|| list.as_array()).expect("staff list").clone();
    items.into_iter().find(|a| a["id"] == id).expect("the staff member")
}

#[tokio::test]
async fn the_console_changes_a_staff_role_and_reactivates_a_deactivated_member() {
    let app = spawn_app().await;
    let (_, cookie, csrf) = staff_session(&app, "boss", "admin").await;
    let (cashier, _, _) = staff_session(&app, "till", "cashier").await;
    let (status, list) = page(&app, "/admin/staff", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"/admin/staff/{cashier}\"")), "{list}");

    let edit = format!("/admin/staff/{cashier}");
    let (status, form) = page(&app, &edit, &[(COOKIE.as_str(), &cookie), (ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Membre du personnel Sam till") && form.contains("value=\"cashier\" selected"), "{form}");
    let response = post_form(&app, &edit, &cookie, &[("csrf_token", &csrf), ("role", "manager")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/admin/staff?notice=saved");
    assert_eq!(staff_member(&app, &cashier).await["role"], "manager");
    let response = post_form(&app, &edit, &cookie, &[("csrf_token", &csrf), ("role", "customer")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "only staff roles");
    assert!(response.text().await.expect("body").contains("must be one of"));

    // Deactivation keeps its confirmation; reactivation is one button.
    let deactivate = format!("/admin/staff/{cashier}/deactivate");
    let (_, confirm) = page(&app, &deactivate, &[(COOKIE.as_str(), &cookie)]).await;
    assert!(confirm.contains("Deactivate Sam till?"), "{confirm}");
    let response = post_form(&app, &deactivate, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(staff_member(&app, &cashier).await["active"], false);
    let (_, list) = page(&app, "/admin/staff", &[(COOKIE.as_str(), &cookie)]).await;
    let reactivate = format!("/admin/staff/{cashier}/reactivate");
    assert!(list.contains(&format!("action=\"{reactivate}\"")) && list.contains("Reactivate"), "{list}");
    let response = post_form(&app, &reactivate, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(staff_member(&app, &cashier).await["active"], true);
    sign_in(&app, "till@example.com", CUSTOMER_PASSWORD).await; // signs in again

    let response = post_form(&app, &reactivate, &cookie, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "CSRF token needed");
    let audit = expect_json(app.staff(Method::GET, "/api/v1/audit").send().await.expect("audit"), StatusCode::OK).await;
    let patches = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "PATCH /api/v1/staff/{id}" && e["entity_id"] == cashier.as_str())
        .count();
    assert_eq!(patches, 3, "role, deactivation and reactivation are audited: {audit}");
}

#[tokio::test]
async fn the_console_tops_up_a_customers_wallet() {
    let app = spawn_app().await;
    let (token, customer) = app.create_customer("Wallet", "wallet-web@example.com").await;
    let id = customer["account"]["id"].as_str().expect("id").to_owned();
    let before = customer["balance"]["amount_minor"].as_i64().expect("balance");
    let (_, cookie, csrf) = staff_session(&app, "purse", "manager").await;
    let path = format!("/admin/customers/{id}");
    let (status, body) = page(&app, &path, &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Top up the wallet") && body.contains(&format!("action=\"{path}\"")), "{body}");

    let response = post_form(&app, &path, &cookie, &[("csrf_token", &csrf), ("amount", "-3"), ("reason", "x")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "a top-up is positive");
    let body = response.text().await.expect("body");
    assert!(body.contains("Amounts look like 12.50"), "an amount's wording, not a price's: {body}");
    assert!(body.contains("value=\"-3\"") && body.contains("value=\"x\""), "what was typed stays: {body}");
    let response = post_form(&app, &path, &cookie, &[("csrf_token", &csrf), ("amount", "5"), ("reason", "")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
    let body = response.text().await.expect("body");
    assert!(body.contains("Reason") && body.contains("value=\"5\""), "the field is named, the amount kept: {body}");
    let response =
        post_form(&app, &path, &cookie, &[("csrf_token", &csrf), ("amount", "99999999"), ("reason", "too much")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("At most €1,000,000.00 at once"), "in euros, not cents: {body}");
    let response = post_form(
        &app,
        &path,
        &cookie,
        &[("csrf_token", &csrf), ("amount", "12,50"), ("reason", "Broken seat, sorry")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], format!("{path}?notice=saved"));

    let me =
        expect_json(app.customer(&token, Method::GET, "/api/v1/me").send().await.expect("me"), StatusCode::OK).await;
    assert_eq!(me["balance"]["amount_minor"].as_i64(), Some(before + 1250), "{me}");
    let wallet = expect_json(
        app.customer(&token, Method::GET, "/api/v1/me/wallet").send().await.expect("wallet"),
        StatusCode::OK,
    )
    .await;
    let entry = wallet["ledger"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["memo"] == "Broken seat, sorry")
        .cloned()
        .expect("the top-up");
    assert_eq!(entry["kind"], "credit", "recorded as a top-up, not an adjustment: {entry}");
    let audit = expect_json(app.staff(Method::GET, "/api/v1/audit").send().await.expect("audit"), StatusCode::OK).await;
    assert!(audit.to_string().contains("/wallet/adjustments"), "audited: {audit}");
}

#[tokio::test]
async fn the_console_deletes_a_film_and_an_auditorium_after_confirming() {
    let app = spawn_app().await;
    let (_, cookie, csrf) = staff_session(&app, "curator", "manager").await;
    let film = app.create_film("Doomed Film", 95, &["drama"], &["en"]).await;
    let film_id = film["id"].as_str().expect("id").to_owned();
    let room = app.create_auditorium("Doomed Room", &[("A", "SSSS")]).await;
    let room_id = room["id"].as_str().expect("id").to_owned();
    let spare = app.create_auditorium("Spare Room", &[("A", "SS")]).await;
    let spare_id = spare["id"].as_str().expect("id").to_owned();
    app.create_showtime(&film, &room, &crate::helpers::at(1, 2)).await;
    // Listed now, and so kept in the listing cache for a second.
    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 1);

    // The film has a future showtime: the API refuses, the page offers the cascade.
    let delete = format!("/admin/films/{film_id}/delete");
    let (status, confirm) = page(&app, &delete, &[(COOKIE.as_str(), &cookie), (ACCEPT_LANGUAGE.as_str(), "fr")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Doomed Film") && confirm.contains(&format!("action=\"{delete}\"")), "{confirm}");
    assert!(!confirm.contains("name=\"cascade\""));
    let response = post_form(&app, &delete, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.expect("body");
    assert!(body.contains("name=\"cascade\"") && !body.contains("?cascade=true"), "{body}");
    app.get_json(&format!("/api/v1/films/{film_id}"), StatusCode::OK).await;
    let response = post_form(&app, &delete, &cookie, &[("csrf_token", &csrf), ("cascade", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/admin/films?notice=deleted");
    app.get_json(&format!("/api/v1/films/{film_id}"), StatusCode::NOT_FOUND).await;
    // The console's change shows in the very next listing, not only after the cache's TTL.
    assert_eq!(app.get_json("/api/v1/showtimes", StatusCode::OK).await["total"], 0);
    let (_, list) = page(&app, "/admin/films?notice=deleted", &[(COOKIE.as_str(), &cookie)]).await;
    assert!(list.contains("Deleted.") && !list.contains("Doomed Film"), "{list}");

    // An auditorium without showtimes goes after the confirmation alone.
    let delete = format!("/admin/auditoriums/{spare_id}/delete");
    let (status, confirm) = page(&app, &delete, &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Delete the auditorium “Spare Room”?"), "{confirm}");
    let response = post_form(&app, &delete, &cookie, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "CSRF token needed");
    let response = post_form(&app, &delete, &cookie, &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/admin/auditoriums?notice=deleted");
    app.get_json(&format!("/api/v1/auditoriums/{spare_id}"), StatusCode::NOT_FOUND).await;
    app.get_json(&format!("/api/v1/auditoriums/{room_id}"), StatusCode::OK).await;
    let (status, _) = page(&app, &format!("/admin/auditoriums/{spare_id}/delete"), &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn saving_an_auditorium_keeps_equipment_the_checkboxes_do_not_offer() {
    let app = spawn_app().await;
    let (_, cookie, csrf) = staff_session(&app, "editor", "admin").await;
    let body = json!({"name": "Salle E", "layout": {"rows": [{"label": "A", "seats": "SS"}]}, "equipment": ["imax", "dolby_7.1"]});
    let room = expect_json(
        app.staff(Method::POST, "/api/v1/auditoriums").json(&body).send().await.expect("room"),
        StatusCode::CREATED,
    )
    .await;
    let edit = format!("/admin/auditoriums/{}", room["id"].as_str().expect("id"));
    let (status, form) = page(&app, &edit, &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"dolby_7.1\""), "the other equipment is in the form: {form}");
    assert!(form.contains(">IMAX<"), "checkbox labels are words, not ids: {form}");

    // Saved as shown, unchanged: nothing is lost.
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("name", "Salle E"),
        ("equipment_imax", "on"),
        ("equipment_other", "dolby_7.1"),
        ("row_label_0", "A"),
        ("row_seats_0", "SS"),
    ];
    let response = post_form(&app, &edit, &cookie, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let saved =
        app.get_json(&format!("/api/v1/auditoriums/{}", room["id"].as_str().expect("id")), StatusCode::OK).await;
    assert_eq!(saved["equipment"], json!(["imax", "dolby_7.1"]));
}

#[tokio::test]
async fn console_messages_name_fields_in_words_and_a_cashier_is_not_offered_what_it_cannot_do() {
    let app = spawn_app().await;
    let (_, cookie, csrf) = staff_session(&app, "words", "admin").await;
    let long_title = "T".repeat(301);
    let fields =
        [("csrf_token", csrf.as_str()), ("title", long_title.as_str()), ("director", "D"), ("duration_minutes", "90")];
    let response = post_form(&app, "/admin/films/new", &cookie, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("Title: must be 1 to 300 characters"), "the field in words: {body}");

    // A walk-in sale by a cashier: the ticket says it was sold (no email went anywhere), and
    // offers no cancellation, which only staff who may refund can do.
    let film = app.create_film("Counter", 95, &[], &[]).await;
    let room = app.create_auditorium("Salle T", crate::helpers::SMALL).await;
    let show = app.create_showtime(&film, &room, &crate::helpers::at(1, 0)).await;
    let (_, till, till_csrf) = staff_session(&app, "till", "cashier").await;
    let sell = format!("/admin/box-office/{}", show["id"].as_str().expect("id"));
    let fields = [("csrf_token", till_csrf.as_str()), ("seat", "A1"), ("tier", "full"), ("payment", "cash")];
    let response = post_form(&app, &sell, &till, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap_or_default());
    let ticket = response.headers()[LOCATION].to_str().expect("location").to_owned();
    let (status, html) = page(&app, &ticket, &[(COOKIE.as_str(), &till)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sold.") && !html.contains("by email"), "{html}");
    assert!(!html.contains("/cancel\""), "no cancellation offered to a cashier: {html}");
    let (_, as_admin) = page(&app, &ticket.replace("?new=1", ""), &[(COOKIE.as_str(), &cookie)]).await;
    assert!(as_admin.contains("/cancel\""), "an admin may cancel it: {as_admin}");
}
