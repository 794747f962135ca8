//! The customer's journey in a real browser: register, confirm the email from the outbox,
//! sign out and in, pick a showtime, choose seats, watch a second browser see the hold
//! live, pay, see the booking, cancel it (and the second browser see the seats freed).

use fantoccini::Locator;
use serde_json::Value;

use crate::driver::{Driver, click, fill, find, main_text, wait_for_path, wait_for_text, wait_until};
use crate::helpers::{CUSTOMER_PASSWORD, TestApp, at, spawn_app};

/// A film, an auditorium of two rows of four and a showtime tomorrow; returns the showtime id.
pub async fn catalog(app: &TestApp) -> (Value, String) {
    let film = app.create_film("The Long Night", 110, &["drama"], &["en"]).await;
    let auditorium = app.create_auditorium("Salle Test", &[("A", "SSSS"), ("B", "SSWC")]).await;
    let showtime = app.create_showtime(&film, &auditorium, &at(1, 2)).await;
    (film, showtime["id"].as_str().expect("id").to_owned())
}

fn seat_state(label: &str, class: &str, disabled: bool) -> String {
    format!(
        "(() => {{ const s = document.getElementById('seat-{label}'); return s && s.disabled === {disabled} && s.parentNode.classList.contains('{class}'); }})()"
    )
}

#[tokio::test]
async fn a_customer_registers_books_with_a_live_seat_map_and_cancels() {
    let app = spawn_app().await;
    let (_, showtime) = catalog(&app).await;
    let driver = Driver::start().await;
    let alice = driver.browser(1280, 900).await;
    let watcher = driver.browser(1280, 900).await;

    // Register.
    alice.goto(&app.url("/register")).await.expect("open");
    fill(&alice, "#email", "alice@example.com").await;
    fill(&alice, "#username", "alice").await;
    fill(&alice, "#first_name", "Alice").await;
    fill(&alice, "#last_name", "Martin").await;
    fill(&alice, "#password", CUSTOMER_PASSWORD).await;
    click(&alice, "main form button[type=submit]").await;
    wait_for_path(&alice, "/account").await;
    wait_for_text(&alice, "We sent you a link").await;

    // Confirm the email with the link from the outbox.
    let mails = app.outbox(1).await;
    let text = mails[0].replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = text.find("/account/verify-email?token=").expect("verification link");
    let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    alice.goto(&app.url(&link)).await.expect("open link");
    click(&alice, "main form button[type=submit]").await;
    wait_for_text(&alice, "is confirmed").await;

    // Sign out, and in again.
    alice.goto(&app.url("/account")).await.expect("open");
    click(&alice, "header form[action='/logout'] button").await;
    find(&alice, "header a[href='/login']").await;
    alice.goto(&app.url("/login")).await.expect("open");
    fill(&alice, "#email", "alice@example.com").await;
    fill(&alice, "#password", CUSTOMER_PASSWORD).await;
    click(&alice, "main form button[type=submit]").await;
    wait_for_path(&alice, "/account/bookings").await;

    // Pick the showtime from the home page; a second browser watches the same seat map.
    alice.goto(&app.url("/")).await.expect("open");
    click(&alice, &format!("a[href='/showtimes/{showtime}']")).await;
    wait_for_path(&alice, &format!("/showtimes/{showtime}")).await;
    watcher.goto(&app.url(&format!("/showtimes/{showtime}"))).await.expect("open");
    wait_until(&watcher, "the live feed", "document.getElementById('live-status').textContent.length > 0").await;
    let label = find(&alice, "#seat-B3").await.attr("aria-label").await.expect("attr").unwrap_or_default();
    assert_eq!(label, "Row B, seat 3, wheelchair space, free");
    // The keyboard: arrow keys move between seats.
    find(&watcher, "#seat-A1").await.send_keys("\u{E014}").await.expect("arrow right");
    wait_until(&watcher, "focus on A2", "document.activeElement.id === 'seat-A2'").await;
    find(&watcher, "#seat-A2").await.send_keys("\u{E015}").await.expect("arrow down");
    wait_until(&watcher, "focus on B2", "document.activeElement.id === 'seat-B2'").await;
    wait_until(
        &watcher,
        "one seat in the Tab order",
        "document.querySelectorAll('[data-seatmap] input[tabindex=\"0\"]').length === 1",
    )
    .await;

    // Hold two seats: the watcher sees them taken without reloading.
    click(&alice, "#seat-A1").await;
    click(&alice, "#seat-A2").await;
    click(&alice, "form[action$='/hold'] button[type=submit]").await;
    wait_for_path(&alice, &format!("/showtimes/{showtime}/checkout")).await;
    wait_until(&watcher, "A1 held", &seat_state("A1", "held", true)).await;
    wait_until(&watcher, "A2 held", &seat_state("A2", "held", true)).await;
    let countdown = find(&alice, ".countdown").await.text().await.expect("text");
    assert!(countdown.contains("left to pay"), "the countdown runs: {countdown}");

    // A child price for the second seat; pay from the wallet.
    find(&alice, "#tier_1").await.select_by_value("child").await.expect("select");
    click(&alice, "[data-hold-submit]").await;
    let ticket = wait_for_path(&alice, "/bookings/").await;
    let text = wait_for_text(&alice, "Your booking is confirmed").await;
    assert!(text.contains("Your booking is confirmed") && text.contains("A1") && text.contains("Child"), "{text}");
    let reference = find(&alice, ".reference").await.text().await.expect("text");
    assert_eq!(reference.len(), 9, "a reference like K7QM-2XD9: {reference}");
    find(&alice, ".qr svg").await;
    wait_until(&watcher, "A1 sold", &seat_state("A1", "sold", true)).await;

    // The booking is in the history; cancel it, confirming first.
    alice.goto(&app.url("/account/bookings")).await.expect("open");
    wait_for_text(&alice, "The Long Night").await;
    let booking_id = ticket.trim_start_matches("/bookings/").split('?').next().unwrap_or_default().to_owned();
    click(&alice, &format!("a[href='/bookings/{booking_id}/cancel']")).await;
    wait_for_text(&alice, "will be refunded").await;
    click(&alice, "form[action$='/cancel'] button[type=submit]").await;
    wait_for_path(&alice, "/account/bookings").await;
    let text = wait_for_text(&alice, "cancelled and refunded").await;
    assert!(text.contains("cancelled and refunded") && text.contains("cancelled"), "{text}");
    wait_until(&watcher, "A1 free again", &seat_state("A1", "free", false)).await;

    // The wallet shows the payment and the refund.
    alice.goto(&app.url("/account/wallet")).await.expect("open");
    let text = main_text(&alice).await;
    assert!(text.contains("payment") && text.contains("refund"), "{text}");

    // French, from the switcher, on every page.
    alice.find(Locator::Css("a[hreflang='fr']")).await.expect("switcher").click().await.expect("click");
    wait_until(&alice, "the French page", "document.documentElement.lang === 'fr'").await;
    wait_for_text(&alice, "Solde").await;

    alice.close().await.expect("close");
    watcher.close().await.expect("close");
}
