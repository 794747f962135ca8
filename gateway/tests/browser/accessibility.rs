//! axe-core in headless Chromium on every page type: no serious or critical WCAG 2.1 A/AA
//! violation, in both languages.

use crate::driver::{Driver, axe_violations, click, fill, wait_for_path};
use crate::helpers::{CUSTOMER_PASSWORD, spawn_app};
use crate::journey::catalog;

#[tokio::test]
async fn every_page_type_passes_axe_core() {
    let app = spawn_app().await;
    let (film, showtime) = catalog(&app).await;
    let film_id = film["id"].as_str().expect("id").to_owned();
    let (_, customer) = app.create_customer("Axel", "axel@example.com").await;
    let email = customer["account"]["email"].as_str().expect("email").to_owned();
    let driver = Driver::start().await;
    let browser = driver.browser(1280, 900).await;
    let mut failures = Vec::new();
    let mut check = async |path: String| {
        browser.goto(&app.url(&path)).await.expect("open");
        for violation in axe_violations(&browser).await {
            failures.push(format!("{path}: {violation}"));
        }
    };
    for path in [
        "/",
        "/?lang=fr",
        "/?version=XX",
        "/login",
        "/register",
        "/account/forgot-password",
        "/account/verify-email?token=x",
        "/account/reset-password?token=x",
        "/nowhere",
    ] {
        check(path.to_owned()).await;
    }
    check(format!("/films/{film_id}")).await;
    check(format!("/showtimes/{showtime}")).await;
    check(format!("/showtimes/{showtime}?lang=fr")).await;

    browser.goto(&app.url("/login")).await.expect("open");
    fill(&browser, "#email", &email).await;
    fill(&browser, "#password", CUSTOMER_PASSWORD).await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/account/bookings").await;
    browser.goto(&app.url(&format!("/showtimes/{showtime}"))).await.expect("open");
    click(&browser, "#seat-A3").await;
    click(&browser, "form[action$='/hold'] button[type=submit]").await;
    wait_for_path(&browser, &format!("/showtimes/{showtime}/checkout")).await;
    for violation in axe_violations(&browser).await {
        failures.push(format!("checkout: {violation}"));
    }
    click(&browser, "[data-hold-submit]").await;
    let ticket = wait_for_path(&browser, "/bookings/").await;
    let booking = ticket.trim_start_matches("/bookings/").split('?').next().unwrap_or_default().to_owned();
    let mut check = async |path: String| {
        browser.goto(&app.url(&path)).await.expect("open");
        for violation in axe_violations(&browser).await {
            failures.push(format!("{path}: {violation}"));
        }
    };
    for path in [
        format!("/bookings/{booking}"),
        format!("/bookings/{booking}/cancel"),
        "/account".into(),
        "/account/bookings".into(),
        "/account/wallet".into(),
        "/account/delete".into(),
        "/account?lang=fr".into(),
    ] {
        check(path).await;
    }
    browser.close().await.expect("close");
    assert!(failures.is_empty(), "axe-core found serious or critical violations:\n{}", failures.join("\n"));
}
