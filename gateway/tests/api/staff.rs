//! Staff administration, kiosks, the box office, wallet adjustments, the audit log and the
//! `boxoffice admin create` bootstrap.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::staff_token;
use crate::helpers::{CUSTOMER_PASSWORD, SMALL, expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn admins_manage_staff_and_deactivation_ends_sessions() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "admin", "alice").await;
    let cashier = staff_token(&app, "cashier", "cassie").await;
    let list =
        expect_json(app.customer(&admin, Method::GET, "/api/v1/staff").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(list["total"], 2);
    let cassie = list["items"].as_array().unwrap().iter().find(|a| a["username"] == "cassie").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bad = json!({"email": "x@cinema.test", "username": "xx-staff", "first_name": "X", "last_name": "Y", "role": "customer", "password": CUSTOMER_PASSWORD});
    let response = app.customer(&admin, Method::POST, "/api/v1/staff").json(&bad).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "role");
    let path = format!("/api/v1/staff/{cassie}");
    let promoted = app.customer(&admin, Method::PATCH, &path).json(&json!({"role": "manager"})).send().await.unwrap();
    assert_eq!(expect_json(promoted, StatusCode::OK).await["role"], "manager");
    let film = json!({"title": "Promoted", "director": "D", "duration_minutes": 90});
    let response = app.customer(&cashier, Method::POST, "/api/v1/films").json(&film).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "the new role applies at once");
    expect_json(
        app.customer(&admin, Method::PATCH, &path).json(&json!({"active": false})).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let response = app.customer(&cashier, Method::GET, "/api/v1/auth/session").send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let alice =
        expect_json(app.customer(&admin, Method::GET, "/api/v1/auth/session").send().await.unwrap(), StatusCode::OK)
            .await;
    let own = format!("/api/v1/staff/{}", alice["account"]["id"].as_str().unwrap());
    let response = app.customer(&admin, Method::PATCH, &own).json(&json!({"role": "manager"})).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "last_admin").await;
}

#[tokio::test]
async fn kiosk_tokens_resolve_until_revoked() {
    let app = spawn_app().await;
    let created = expect_json(
        app.staff(Method::POST, "/api/v1/kiosks").json(&json!({"name": "lobby-2"})).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let token = created["token"].as_str().unwrap();
    assert_eq!(created["account"]["role"], "kiosk");
    let session =
        expect_json(app.customer(token, Method::GET, "/api/v1/auth/session").send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(session["credential"], "bearer");
    let revoke = format!("/api/v1/kiosks/{}/revoke", created["account"]["id"].as_str().unwrap());
    assert_eq!(app.staff(Method::POST, &revoke).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    expect_problem(
        app.customer(token, Method::GET, "/api/v1/auth/session").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let response = app.staff(Method::POST, "/api/v1/kiosks").json(&json!({"name": "x"})).send().await.unwrap();
    assert_eq!(expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"], "name");
}

#[tokio::test]
async fn cashiers_sell_to_walk_ins_and_print_tickets() {
    let app = spawn_app().await;
    let cashier = staff_token(&app, "cashier", "cassie").await;
    let film = app.create_film("Walk-in", 95, &[], &[]).await;
    let room = app.create_auditorium("Salle W", SMALL).await;
    let show = app.create_showtime(&film, &room, &crate::helpers::at(1, 0)).await["id"].as_str().unwrap().to_owned();
    let sale = json!({"showtime_id": show, "seats": ["A1", "A2"], "tiers": [{"seat": "A1", "tier": "full"}, {"seat": "A2", "tier": "child"}], "payment": "cash"});
    let sold = expect_json(
        app.customer(&cashier, Method::POST, "/api/v1/box-office/sales").json(&sale).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sold["booking"]["total"]["amount_minor"], 1950);
    assert_eq!(sold["ticket"]["reference"], sold["booking"]["reference"]);
    assert!(sold["ticket"]["qr_svg"].as_str().unwrap().contains("<svg"));
    let taken = json!({"showtime_id": show, "seats": ["A1"], "payment": "cash"});
    let response = app.customer(&cashier, Method::POST, "/api/v1/box-office/sales").json(&taken).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "seats_unavailable").await;
    let card = json!({"showtime_id": show, "seats": ["B1"], "payment": "card"});
    let response = app.customer(&cashier, Method::POST, "/api/v1/box-office/sales").json(&card).send().await.unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
        "terminal_ref"
    );

    let held = expect_json(
        app.customer(&cashier, Method::POST, "/api/v1/box-office/holds")
            .json(&json!({"showtime_id": show, "seats": ["B1"]}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let sell = format!("/api/v1/box-office/holds/{}/sell", held["hold"]["hold_id"].as_str().unwrap());
    let body = json!({"showtime_id": show, "walk_in_id": held["walk_in_id"], "payment": "card", "terminal_ref": "APPROVAL-42"});
    let sold =
        expect_json(app.customer(&cashier, Method::POST, &sell).json(&body).send().await.unwrap(), StatusCode::CREATED)
            .await;
    let booking_id = sold["booking"]["id"].as_str().unwrap();
    let ticket = expect_json(
        app.customer(&cashier, Method::GET, &format!("/api/v1/box-office/tickets/{booking_id}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((ticket["film"].as_str(), ticket["auditorium"].as_str()), (Some("Walk-in"), Some("Salle W")));
    let page = app
        .customer(&cashier, Method::GET, &format!("/api/v1/box-office/tickets/{booking_id}/print"))
        .send()
        .await
        .unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains(sold["booking"]["reference"].as_str().unwrap()));
    let seats = app.get_json(&format!("/api/v1/showtimes/{show}/seats"), StatusCode::OK).await;
    assert_eq!(seats["counts"]["sold"], 3);
    // A cashier cannot refund; a manager can.
    let cancel = format!("/api/v1/bookings/{booking_id}/cancel");
    expect_problem(
        app.customer(&cashier, Method::POST, &cancel).send().await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn wallet_adjustments_are_ledger_entries_and_staff_actions_are_audited() {
    let app = spawn_app().await;
    let manager = staff_token(&app, "manager", "manny").await;
    let (token, created) = app.create_customer("Ada", "ada@example.com").await;
    let id = created["customer"]["id"].as_str().unwrap();
    let adjust = |body: serde_json::Value| {
        app.customer(&manager, Method::POST, &format!("/api/v1/customers/{id}/wallet/adjustments")).json(&body).send()
    };
    let done = expect_json(
        adjust(json!({"amount_minor": -200000, "reason": "duplicate credit"})).await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (done["entry"]["kind"].as_str(), done["balance"]["amount_minor"].as_i64()),
        (Some("adjustment"), Some(300_000))
    );
    expect_problem(
        adjust(json!({"amount_minor": -300001, "reason": "too much"})).await.unwrap(),
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_balance",
    )
    .await;
    for (body, field) in [
        (json!({"amount_minor": 0, "reason": "x"}), "amount_minor"),
        (json!({"amount_minor": 10, "reason": ""}), "reason"),
        (json!({"amount_minor": -10, "reason": "x", "kind": "top_up"}), "amount_minor"),
        (json!({"amount_minor": 10, "reason": "x", "kind": "gift"}), "kind"),
    ] {
        assert_eq!(
            expect_problem(adjust(body).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await["field"],
            field
        );
    }
    let wallet =
        expect_json(app.customer(&token, Method::GET, "/api/v1/me/wallet").send().await.unwrap(), StatusCode::OK).await;
    let sum: i64 = wallet["ledger"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"]["amount_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (wallet["balance"]["amount_minor"].as_i64(), wallet["ledger"]["items"][0]["memo"].as_str()),
        (Some(sum), Some("duplicate credit"))
    );

    let film = expect_json(
        app.customer(&manager, Method::POST, "/api/v1/films")
            .json(&json!({"title": "Old", "director": "D", "duration_minutes": 90}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let film_id = film["id"].as_str().unwrap();
    let update = json!({"title": "New", "director": "D", "duration_minutes": 90});
    expect_json(
        app.customer(&manager, Method::PUT, &format!("/api/v1/films/{film_id}")).json(&update).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let all =
        expect_json(app.staff(Method::GET, "/api/v1/audit?entity=film").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((all["total"].as_u64(), all["items"][1]["action"].as_str()), (Some(2), Some("POST /api/v1/films")));
    let log = expect_json(
        app.staff(Method::GET, &format!("/api/v1/audit?entity=film&entity_id={film_id}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(log["total"], 2, "the creation (its id from the answer) and the change: {log}");
    assert_eq!(log["items"][1]["action"], "POST /api/v1/films");
    let last = &log["items"][0];
    assert_eq!(
        (last["action"].as_str(), last["actor_role"].as_str()),
        (Some("PUT /api/v1/films/{id}"), Some("manager"))
    );
    assert_eq!((last["before"]["title"].as_str(), last["after"]["title"].as_str()), (Some("Old"), Some("New")));
    let kiosk = expect_json(
        app.staff(Method::POST, "/api/v1/kiosks").json(&json!({"name": "lobby-3"})).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let log = expect_json(
        app.staff(Method::GET, "/api/v1/audit?entity=account&limit=5").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(
        log.to_string().contains("[redacted]") && !log.to_string().contains(kiosk["token"].as_str().unwrap()),
        "no secrets in the log"
    );
    let bad = app.staff(Method::GET, "/api/v1/audit?from=yesterday").send().await.unwrap();
    expect_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn the_first_admin_is_created_from_the_command_line() {
    let app = spawn_app().await;
    let data = app.dir.path().to_str().unwrap().to_owned();
    let run_with = |email: &str, extra: &[&str], password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_boxoffice"))
            .args([
                "admin",
                "create",
                "--email",
                email,
                "--password-env",
                "BOXOFFICE_TEST_ADMIN_PASSWORD",
                "--data-dir",
                &data,
            ])
            .args(extra)
            .env("BOXOFFICE_TEST_ADMIN_PASSWORD", password)
            .env("BOXOFFICE_ACCOUNTS__PASSWORD_HASH_MEMORY_KIB", "64")
            .env("RUST_LOG", "warn")
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap()
    };
    let run = |password: &str| run_with("root@cinema.test", &[], password);
    let short = run_with("a1@cinema.test", &[], CUSTOMER_PASSWORD);
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(
        !short.status.success() && stderr.contains("--username") && !stderr.contains("username: username"),
        "{stderr}"
    );
    let bell = run_with("bell@cinema.test", &["--last-name", "Ding\u{7}"], CUSTOMER_PASSWORD);
    let stderr = String::from_utf8_lossy(&bell.stderr);
    assert!(!bell.status.success() && stderr.contains("last_name"), "{stderr}");
    let weak = run("password123");
    assert!(!weak.status.success() && String::from_utf8_lossy(&weak.stderr).contains("password"), "{weak:?}");
    let created = run(CUSTOMER_PASSWORD);
    assert!(created.status.success(), "{created:?}");
    assert!(String::from_utf8_lossy(&created.stdout).contains("admin created: root"));
    let again = run(CUSTOMER_PASSWORD);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("email"), "{again:?}");
    let login = json!({"email": "root@cinema.test", "password": CUSTOMER_PASSWORD});
    let answer =
        expect_json(app.request(Method::POST, "/api/v1/auth/login").json(&login).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(answer["account"]["role"], "admin");
    let token = answer["token"].as_str().unwrap();
    assert_eq!(app.customer(token, Method::GET, "/api/v1/staff").send().await.unwrap().status(), StatusCode::OK);
}
