//! `POST /api/v1/staff/customers`: staff import verified, funded customers in bulk; the
//! import is all or nothing for validation; only admins and managers may import.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::staff_token;
use crate::helpers::{SMALL, at, expect_json, expect_problem, spawn_app};

fn customer(i: usize, credit: Option<i64>) -> Value {
    let mut c = json!({"email": format!("club-{i}@example.test"), "username": format!("club{i}"), "first_name": "Club", "last_name": format!("Member {i}")});
    if let Some(credit) = credit {
        c["credit_minor"] = json!(credit);
    }
    c
}

#[tokio::test]
async fn imported_customers_are_verified_funded_and_can_buy_at_once() {
    let app = spawn_app().await;
    let body = json!({"customers": [customer(1, Some(3_000)), customer(2, None)]});
    let response = app.staff(Method::POST, "/api/v1/staff/customers").json(&body).send().await.unwrap();
    let imported = expect_json(response, StatusCode::CREATED).await;
    let list = imported["customers"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["account"]["email"], "club-1@example.test", "in request order");
    assert_eq!(list[0]["account"]["email_verified"], true);
    assert_eq!(list[0]["balance"]["amount_minor"], 3_000);
    assert_eq!(list[1]["balance"]["amount_minor"], 500_000, "the configured starting credit by default");
    let token = list[0]["token"].as_str().unwrap();
    let me = expect_json(app.customer(token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(me["balance"]["amount_minor"], 3_000);

    let film = app.create_film("Imported", 100, &["drama"], &["en"]).await;
    let room = app.create_auditorium("Import room", SMALL).await;
    let show = app.create_showtime(&film, &room, &at(3, 0)).await;
    let sid = show["id"].as_str().unwrap();
    let hold = app
        .customer(token, Method::POST, &format!("/api/v1/showtimes/{sid}/holds"))
        .json(&json!({"seats": ["A1"]}))
        .send()
        .await
        .unwrap();
    let hold = expect_json(hold, StatusCode::CREATED).await;
    let path = format!("/api/v1/showtimes/{sid}/holds/{}/purchase", hold["hold_id"].as_str().unwrap());
    expect_json(app.customer(token, Method::POST, &path).send().await.unwrap(), StatusCode::CREATED).await;
}

#[tokio::test]
async fn an_import_is_refused_whole_and_only_admins_and_managers_may_import() {
    let app = spawn_app().await;
    let path = "/api/v1/staff/customers";
    let bad = json!({"customers": [customer(1, None), {"email": "nope", "username": "club2", "first_name": "A", "last_name": "B"}]});
    let response = app.staff(Method::POST, path).json(&bad).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "customers[1].email"
    );
    let repeated = json!({"customers": [customer(1, None), customer(1, None)]});
    let response = app.staff(Method::POST, path).json(&repeated).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!((problem["field"].as_str(), problem["reason"].as_str()), (Some("customers[1].email"), Some("repeated")));
    let mut same_username = customer(2, None);
    same_username["username"] = json!("CLUB1");
    let repeated = json!({"customers": [customer(1, None), same_username]});
    let response = app.staff(Method::POST, path).json(&repeated).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["field"], "customers[1].username", "the clash is named where it is: {problem}");
    let too_rich = json!({"customers": [customer(1, Some(-5))]});
    let response = app.staff(Method::POST, path).json(&too_rich).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "customers[0].credit_minor"
    );
    let (token, _) = app.create_customer("Taken", "club-3@example.test").await;
    let clash = json!({"customers": [customer(4, None), customer(3, None)]});
    let response = app.staff(Method::POST, path).json(&clash).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::CONFLICT, "duplicate").await["field"], "customers[1].email");
    let fresh = json!({"customers": [customer(4, None)]});
    let response = app.staff(Method::POST, path).json(&fresh).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "nothing of the refused imports was created");

    let response =
        app.customer(&token, Method::POST, path).json(&json!({"customers": [customer(5, None)]})).send().await.unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let cashier = staff_token(&app, "cashier", "cassie").await;
    let response = app
        .customer(&cashier, Method::POST, path)
        .json(&json!({"customers": [customer(6, None)]}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.staff(Method::POST, path).json(&json!({"customers": []})).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "customers"
    );
}
